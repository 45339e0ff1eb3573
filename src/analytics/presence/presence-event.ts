import { createHash } from 'node:crypto';
import { z } from 'zod';
import { idSchema } from '../../shared/ids.js';

/**
 * Real-time presence events, as the trigger engine receives them on the
 * `presence-events` queue. Delivery is at-least-once: `id` is the same for the
 * same logical event however often it is produced, so it is the BullMQ job id
 * (deduped while the job is kept) and the consumer's idempotency key beyond
 * that. Carries the organisation-keyed device hash, never a MAC or a phone.
 */
export const PRESENCE_EVENT_TYPES = ['presence.entered', 'presence.passed_by', 'presence.dwell', 'presence.left', 'presence.returned'] as const;
export type PresenceEventType = (typeof PRESENCE_EVENT_TYPES)[number];

export const deviceHashSchema = z.string().regex(/^[0-9a-f]{64}$/, { message: 'expected a 64-digit hex device hash' });

const base = {
  id: z.string().regex(/^[0-9a-f]{32}$/, { message: 'expected a 32-digit hex event id' }),
  orgId: idSchema,
  venueId: idSchema,
  /** null: the venue as a whole (any of its sensors). */
  zoneId: idSchema.nullable(),
  visitorId: idSchema,
  deviceHash: deviceHashSchema.optional(),
  /** The sighting time the event is about (sensor clock), not when it was processed. */
  occurredAt: z.iso.datetime(),
  visitStartedAt: z.iso.datetime(),
};

const seconds = z.number().int().min(0);

export const presenceEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('presence.entered') }),
  /** The visit ended without meeting the visitor criteria (weak signal or too brief). */
  z.strictObject({ ...base, type: z.literal('presence.passed_by'), durationSeconds: seconds }),
  /** One of the venue's dwell thresholds was crossed (once per visit and threshold). */
  z.strictObject({ ...base, type: z.literal('presence.dwell'), dwellMinutes: z.number().int().min(1) }),
  z.strictObject({ ...base, type: z.literal('presence.left'), durationSeconds: seconds }),
  /** On entry, when this visitor's last visit to the venue ended on an earlier (local) day. */
  z.strictObject({ ...base, type: z.literal('presence.returned'), daysSinceLastVisit: z.number().int().min(1) }),
]);

export type PresenceEvent = z.output<typeof presenceEventSchema>;

export interface EventIdentity {
  orgId: string;
  venueId: string;
  zoneId: string | null;
  deviceHash: string;
  /** The visit's identity: the time of the sighting that opened it. */
  visitAnchor: number;
  type: PresenceEventType;
  dwellMinutes?: number;
}

/** Deterministic: the same visit, place, type (and threshold) always give the same id. */
export function presenceEventId(e: EventIdentity): string {
  const parts = [e.orgId, e.venueId, e.zoneId ?? '-', e.deviceHash, String(e.visitAnchor), e.type, String(e.dwellMinutes ?? '-')];
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);
}

export const isoFromEpochSeconds = (ts: number): string => new Date(Math.round(ts * 1000)).toISOString();
