import { z } from 'zod';
import { idSchema } from '../../shared/ids.js';
import { eventPropertiesSchema, TRIGGER_EVENT_TYPES } from '../trigger-event.js';

/** POST /rules/:id/test and POST /rules/test (which adds `rule`): a what-if with no side effects. */
export const ruleTestEventSchema = z.strictObject({
  type: z.enum(TRIGGER_EVENT_TYPES),
  venueId: idSchema,
  zoneId: idSchema.nullable().optional(),
  visitorId: idSchema.nullable().optional(),
  occurredAt: z.iso.datetime().optional(),
  visitStartedAt: z.iso.datetime().optional(),
  dwellMinutes: z.number().int().min(1).optional(),
  daysSinceLastVisit: z.number().int().min(1).optional(),
  name: z.string().regex(/^[\w.-]{1,64}$/).optional(),
  properties: eventPropertiesSchema.optional(),
});

export const ruleTestVisitorSchema = z.strictObject({
  loyaltyMember: z.boolean().optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  visitCount: z.number().int().min(0).optional(),
  previousVisitAt: z.iso.datetime().nullable().optional(),
  consent: z.strictObject({ sms_marketing: z.boolean().optional(), crm_sharing: z.boolean().optional() }).optional(),
  smsSuppressed: z.boolean().optional(),
});

export const ruleTestSchema = z.strictObject({
  event: ruleTestEventSchema,
  now: z.iso.datetime().optional(),
  visitor: ruleTestVisitorSchema.optional(),
  history: z.strictObject({ lastFiredAt: z.iso.datetime().nullable().optional(), firedToday: z.number().int().min(0).optional() }).optional(),
});

export const draftRuleTestSchema = ruleTestSchema.extend({ rule: z.unknown() });

export type RuleTestRequest = z.output<typeof ruleTestSchema>;
export type RuleTestVisitor = z.output<typeof ruleTestVisitorSchema>;
