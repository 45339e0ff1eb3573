import { z } from 'zod';
import { idSchema } from '../../shared/ids.js';
import type { VenueAnalyticsSettings } from '../analytics.settings.js';
import { deviceHashSchema } from './presence-event.js';

/**
 * What the tracker remembers about one device at one venue between batches.
 * Kept small and summarised (no list of sightings): min/max times only, so
 * replaying or reordering sightings lands on the same state.
 */
const epochSeconds = z.number();

export const visitSchema = z.strictObject({
  /** Time of the sighting that opened the visit: its identity, never moved, so event ids stay stable. */
  anchor: epochSeconds,
  startedAt: epochSeconds,
  lastSeen: epochSeconds,
  /** First and last strong-signal sighting (rssi >= visitorRssi), null while there is none. */
  firstStrong: epochSeconds.nullable(),
  lastStrong: epochSeconds.nullable(),
  entered: z.boolean(),
  /** Dwell thresholds already announced in this visit. */
  dwellMinutes: z.array(z.number().int()),
});

export const placeSchema = z.strictObject({
  /**
   * Open visits, by start, each more than the session timeout apart. Only the first may announce
   * itself; a later one is a return seen before the watermark confirmed the gap, and becomes first
   * when the first closes (or merges into it when late sightings fill the gap).
   */
  visits: z.array(visitSchema),
  /** Sightings at or before this time belong to a visit already closed: ignored, so a late batch cannot reopen it. */
  closedUntil: epochSeconds,
});

export const presenceStateSchema = z.strictObject({
  v: z.literal(1),
  orgId: idSchema,
  venueId: idSchema,
  deviceHash: deviceHashSchema,
  /** The visitor of the latest sighting (a device can be rebound). */
  visitorId: idSchema,
  /** Latest sighting time seen for this device. */
  highWater: epochSeconds,
  venue: placeSchema,
  zones: z.record(idSchema, placeSchema),
  /** End of this visitor's last qualified visit to the venue (any of their devices), for `returned`. */
  lastVisitEndedAt: epochSeconds.nullable(),
});

export type Visit = z.output<typeof visitSchema>;
export type Place = z.output<typeof placeSchema>;
export type PresenceState = z.output<typeof presenceStateSchema>;

/**
 * The venue's analytics settings plus its IANA time zone (calendar days for `returned`) and the allowed
 * lateness: sightings up to this many seconds late (behind `now`) still count as if they had arrived in
 * order, so a visit is only closed once `now - latenessSeconds` is past its last sighting plus the timeout.
 */
export type TrackerSettings = VenueAnalyticsSettings & { timeZone: string; latenessSeconds: number };

/** Sensors upload every few seconds and workers run batches in parallel: a minute covers both. */
export const DEFAULT_LATENESS_SECONDS = 60;

export interface DeviceRef {
  orgId: string;
  venueId: string;
  deviceHash: string;
}

export const emptyPlace = (): Place => ({ visits: [], closedUntil: 0 });

export function emptyPresenceState(device: DeviceRef, visitorId: string): PresenceState {
  return {
    v: 1,
    orgId: device.orgId,
    venueId: device.venueId,
    deviceHash: device.deviceHash,
    visitorId,
    highWater: 0,
    venue: emptyPlace(),
    zones: {},
    lastVisitEndedAt: null,
  };
}
