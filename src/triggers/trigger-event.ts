import { z } from 'zod';
import { idSchema } from '../shared/ids.js';

/**
 * What the rule engine evaluates: presence events (from analytics), portal
 * logins, the engine's own "first visit", and events other systems inject
 * through `POST /api/v1/events`. Thin and pseudonymous: a visitor id, never a
 * MAC or a phone. `id` is the idempotency key: the same id is one event
 * however often it arrives.
 */
export const TRIGGER_EVENT_TYPES = [
  'presence.entered',
  'presence.passed_by',
  'presence.dwell',
  'presence.left',
  'presence.returned',
  'portal.login',
  'visit.first',
  'custom',
] as const;
export type TriggerEventType = (typeof TRIGGER_EVENT_TYPES)[number];

export const EVENT_SOURCES = ['presence', 'portal', 'api', 'engine'] as const;

const propertyValue = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);

export const eventPropertiesSchema = z
  .record(z.string().regex(/^[A-Za-z_][\w.-]{0,63}$/, { message: 'property names are letters, digits, "_", "." or "-" (max 64)' }), propertyValue)
  .refine((p) => Object.keys(p).length <= 50, { message: 'at most 50 properties' });

export const triggerEventSchema = z
  .strictObject({
    id: z.string().regex(/^[\w.:-]{1,100}$/, { message: 'expected 1-100 letters, digits, "_", ".", ":" or "-"' }),
    type: z.enum(TRIGGER_EVENT_TYPES),
    /** Custom events only: the name rules match on (e.g. "purchase"). */
    name: z.string().regex(/^[\w.-]{1,64}$/).optional(),
    orgId: idSchema,
    venueId: idSchema,
    /** null: the venue as a whole. */
    zoneId: idSchema.nullable(),
    /** null: nobody we know (an anonymous device); audience conditions then fail. */
    visitorId: idSchema.nullable(),
    occurredAt: z.iso.datetime(),
    source: z.enum(EVENT_SOURCES),
    /** The visit this event belongs to (presence); counts a visit once in the visit statistics. */
    visitStartedAt: z.iso.datetime().optional(),
    durationSeconds: z.number().int().min(0).optional(),
    dwellMinutes: z.number().int().min(1).optional(),
    daysSinceLastVisit: z.number().int().min(1).optional(),
    properties: eventPropertiesSchema.optional(),
  })
  .superRefine((e, ctx) => {
    if (e.type === 'custom' && e.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'custom events need a name' });
    if (e.type === 'presence.dwell' && e.dwellMinutes === undefined) ctx.addIssue({ code: 'custom', path: ['dwellMinutes'], message: 'dwell events need dwellMinutes' });
    if (e.type === 'presence.returned' && e.daysSinceLastVisit === undefined)
      ctx.addIssue({ code: 'custom', path: ['daysSinceLastVisit'], message: 'returned events need daysSinceLastVisit' });
  });

export type TriggerEvent = z.output<typeof triggerEventSchema>;
