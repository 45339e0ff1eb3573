import { z } from 'zod';
import { idSchema } from '../../shared/ids.js';

/**
 * A marketer's rule, as stored (jsonb `definition`) and as the API takes it.
 * Times of day are the venue's local time ("HH:MM", 24 h); an end before its
 * start wraps past midnight (21:00-08:00).
 */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected HH:MM (24-hour)' });
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const minMax = (max: number) =>
  z
    .strictObject({ min: z.number().int().min(0).max(max).optional(), max: z.number().int().min(0).max(max).optional() })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: 'min must not exceed max' });

export const ruleTriggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('presence.entered') }),
  z.strictObject({ type: z.literal('presence.passed_by') }),
  z.strictObject({ type: z.literal('presence.left') }),
  /** Fires on the dwell event for exactly this threshold (the venue's dwell thresholds produce them). */
  z.strictObject({ type: z.literal('presence.dwell'), minutes: z.number().int().min(1).max(1440) }),
  /** A return after at least `minDays` (and at most `maxDays`) days away. */
  z.strictObject({ type: z.literal('presence.returned'), minDays: z.number().int().min(1).max(3650).default(1), maxDays: z.number().int().min(1).max(3650).optional() }),
  z.strictObject({ type: z.literal('portal.login') }),
  /** The visitor's first visit to the venue as far as the engine has seen (entered or login). */
  z.strictObject({ type: z.literal('visit.first') }),
  z.strictObject({ type: z.literal('custom'), name: z.string().regex(/^[\w.-]{1,64}$/) }),
]);
export type RuleTrigger = z.output<typeof ruleTriggerSchema>;

export const ATTRIBUTE_OPERATORS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'not_exists'] as const;
export const attributeConditionSchema = z.strictObject({
  key: z.string().regex(/^[A-Za-z_][\w.-]{0,63}$/),
  op: z.enum(ATTRIBUTE_OPERATORS),
  value: z.union([z.string().max(500), z.number(), z.boolean(), z.array(z.union([z.string().max(500), z.number()])).max(100)]).optional(),
}).superRefine((c, ctx) => {
  // Each operator's operand: a condition that could never hold is a mistake to report at save.
  const problem = attributeOperandProblem(c.op, c.value);
  if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
});

function attributeOperandProblem(op: (typeof ATTRIBUTE_OPERATORS)[number], value: unknown): string | undefined {
  if (op === 'exists' || op === 'not_exists') return value === undefined ? undefined : `${op} takes no value`;
  if (value === undefined) return `${op} needs a value`;
  if (op === 'in' || op === 'not_in') return Array.isArray(value) ? undefined : `${op} needs a list of values`;
  if (Array.isArray(value)) return `${op} needs a single value, not a list`;
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && typeof value === 'boolean') return `${op} needs a number or a string`;
  return undefined;
}
export type AttributeCondition = z.output<typeof attributeConditionSchema>;

export const audienceSchema = z.strictObject({
  /** true: only visitors we know (verified phone); every rule needs one to message anyway. */
  knownVisitor: z.boolean().default(true),
  loyaltyMember: z.boolean().optional(),
  /** Visits to the event's venue, this one included. */
  visitCount: minMax(1_000_000).optional(),
  /** Days since the previous visit to the event's venue (event's daysSinceLastVisit, else the visit statistics). */
  daysSinceLastVisit: minMax(3650).optional(),
  attributes: z.array(attributeConditionSchema).max(20).default([]),
});
export type Audience = z.output<typeof audienceSchema>;

export const scheduleWindowSchema = z.strictObject({
  days: z.array(z.enum(WEEKDAYS)).min(1).default([...WEEKDAYS]),
  from: timeOfDay,
  to: timeOfDay,
});
export type ScheduleWindow = z.output<typeof scheduleWindowSchema>;

export const webhookActionSchema = z.strictObject({
  type: z.literal('webhook'),
  /** Endpoints to call; empty: every enabled endpoint subscribed to the event type. */
  endpointIds: z.array(idSchema).max(20).default([]),
  /**
   * The `data.custom` object of the body: JSON whose string values are
   * Handlebars templates over the event context ({{visitor.id}}, {{venue.name}}...).
   */
  payloadTemplate: z.record(z.string(), z.unknown()).optional(),
  /** Without CRM-sharing consent: send a pseudonymous payload (no phone, no attributes) or nothing. */
  withoutConsent: z.enum(['pseudonymous', 'skip']).default('pseudonymous'),
});

export const smsActionSchema = z.strictObject({
  type: z.literal('sms'),
  /** Handlebars over the event context; the organisation's opt-out line and link are appended. */
  template: z.string().min(1).max(600),
});

export const ruleActionSchema = z.discriminatedUnion('type', [webhookActionSchema, smsActionSchema]);
export type RuleAction = z.output<typeof ruleActionSchema>;

export const ruleDefinitionSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  enabled: z.boolean().default(true),
  trigger: ruleTriggerSchema,
  /** Empty lists: every venue / any zone (and the venue as a whole). */
  scope: z.strictObject({ venueIds: z.array(idSchema).max(500).default([]), zoneIds: z.array(idSchema).max(500).default([]) }).default({ venueIds: [], zoneIds: [] }),
  audience: audienceSchema.default({ knownVisitor: true, attributes: [] }),
  /** Windows in the venue's time zone; empty: any time. */
  schedule: z.array(scheduleWindowSchema).max(14).default([]),
  /** Per visitor: no second firing of this rule within this many minutes (0: none). 7 days by default. */
  cooldownMinutes: z.number().int().min(0).max(366 * 24 * 60).default(7 * 24 * 60),
  /** Counts towards, and obeys, the organisation's cap of messages per visitor per day. */
  countsTowardsDailyCap: z.boolean().default(true),
  /** SMS during quiet hours (organisation default 21:00-08:00 visitor-local): hold until they end, or drop. */
  quietHours: z
    .strictObject({ mode: z.enum(['hold', 'drop']).default('hold'), from: timeOfDay.optional(), to: timeOfDay.optional() })
    .default({ mode: 'hold' }),
  /** Share of matching visitors deterministically held back (recorded, not messaged) to measure lift. */
  controlGroupPercent: z.number().int().min(0).max(50).default(0),
  actions: z.array(ruleActionSchema).min(1).max(5),
});

export type RuleDefinitionInput = z.input<typeof ruleDefinitionSchema>;
export type RuleDefinition = z.output<typeof ruleDefinitionSchema>;

export interface Rule {
  id: string;
  orgId: string;
  version: number;
  definition: RuleDefinition;
  createdAt: Date;
  updatedAt: Date;
}

/** Organisation-wide trigger settings (trigger_org_settings.settings). */
export const triggerSettingsSchema = z.strictObject({
  /** Messages (rules fired with an action sent) per visitor per local day; 0: no cap. */
  dailyCapPerVisitor: z.number().int().min(0).max(100).default(3),
  quietHours: z.strictObject({ from: timeOfDay, to: timeOfDay }).default({ from: '21:00', to: '08:00' }),
  /** Appended to every marketing SMS, followed by the withdrawal link. */
  optOutLine: z.string().trim().min(1).max(120).default('Reply STOP to opt out'),
});
export type TriggerSettings = z.output<typeof triggerSettingsSchema>;
export const DEFAULT_TRIGGER_SETTINGS: TriggerSettings = triggerSettingsSchema.parse({});
