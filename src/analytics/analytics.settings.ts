import { z } from 'zod';

/**
 * Per-venue analytics settings: how a device's presence is classified. The
 * same values drive the metrics (passer-by vs visitor, visits, bounce) and
 * the real-time presence events, so a dashboard and a trigger agree on what
 * "a visitor" is. Defaults follow common industry practice (see
 * ../shared notes: visitor = strong signal for 5 min; a 15 min gap ends a visit).
 */
export const venueAnalyticsSettingsSchema = z.strictObject({
  /** dBm at or above which a probe counts as "inside" (strong signal). */
  visitorRssi: z.number().int().min(-100).max(-20).default(-70),
  /** Strong-signal time that turns a passer-by into a visitor. */
  visitorMinDwellSeconds: z.number().int().min(30).max(3600).default(300),
  /** Silence after which a visit has ended. */
  sessionTimeoutSeconds: z.number().int().min(60).max(3 * 3600).default(900),
  /** Stays shorter than this are not visits at all. */
  minVisitSeconds: z.number().int().min(0).max(600).default(60),
  /** Visits shorter than this count as bounces. */
  bounceSeconds: z.number().int().min(60).max(3600).default(300),
  /** `presence.dwell` fires once per visit as each of these is crossed. */
  dwellThresholdsMinutes: z.array(z.number().int().min(1).max(24 * 60)).max(10).default([5, 15, 30]),
});

export type VenueAnalyticsSettings = z.output<typeof venueAnalyticsSettingsSchema>;

export const defaultVenueAnalyticsSettings = (): VenueAnalyticsSettings => venueAnalyticsSettingsSchema.parse({});
