import { ATTRIBUTE_OPERATORS, WEEKDAYS, type TriggerSettings } from '../../triggers/rules/rule.schema.js';
import type { EndpointView } from '../../triggers/webhooks/index.js';
import type { Venue, Zone } from '../../tenancy/index.js';
import type { FieldErrors } from './rule-form-errors.js';
import { COOLDOWN_UNITS, EDITOR_TRIGGERS, EMPTY_CONDITION_ROWS, isBlankCondition, LOYALTY_CHOICES, MAX_CONDITIONS, type ConditionRow, type RuleFormValues } from './rule-form.js';

/** What the editor template renders: every field with its id, value and message, every choice with its state. */

export const TRIGGER_LABELS: Record<(typeof EDITOR_TRIGGERS)[number], string> = {
  'presence.entered': 'Entered the venue',
  'presence.dwell': 'Stayed a number of minutes',
  'presence.returned': 'Came back after some days away',
  'presence.left': 'Left the venue',
  'presence.passed_by': 'Passed by without coming in',
  'portal.login': 'Signed in to the Wi-Fi',
  'visit.first': 'First visit to the venue',
  custom: 'Custom event from your systems',
};

const OPERATOR_LABELS: Record<(typeof ATTRIBUTE_OPERATORS)[number], string> = {
  eq: 'is',
  neq: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  gt: 'is more than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  contains: 'contains',
  exists: 'is set',
  not_exists: 'is not set',
};

const DAY_LABELS = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' } as const;
const LOYALTY_LABELS: Record<(typeof LOYALTY_CHOICES)[number], string> = { any: 'Members or not', member: 'Loyalty members only', 'non-member': 'Non-members only' };

export interface EditorContext {
  venues: (Venue & { zones: Zone[] })[];
  endpoints: EndpointView[];
  settings: TriggerSettings;
  /** undefined: a new rule. */
  rule?: { id: string; name: string; version: number };
}

interface Field {
  id: string;
  value: string;
  error: string | undefined;
}

const choices = <T extends string>(values: readonly T[], label: (v: T) => string, selected: string) => values.map((value) => ({ value, label: label(value), selected: value === selected }));

/** Filled rows first (rule condition N is row N), then blank ones to add more. */
function conditionRows(form: RuleFormValues, field: (id: string, value: string) => Field, errors: FieldErrors) {
  const filled = form.conditions.filter((c) => !isBlankCondition(c));
  const blank: ConditionRow = { key: '', op: 'eq', value: '' };
  const rows = [...filled, ...Array.from({ length: EMPTY_CONDITION_ROWS }, () => blank)].slice(0, Math.max(MAX_CONDITIONS, filled.length));
  return rows.map((c, n) => ({
    number: n + 1,
    key: field(`cond-${String(n)}-key`, c.key),
    op: { id: `cond-${String(n)}-op`, error: errors[`cond-${String(n)}-op`], options: choices(ATTRIBUTE_OPERATORS, (op) => `${OPERATOR_LABELS[op]} (${op})`, c.op) },
    value: field(`cond-${String(n)}-value`, c.value),
  }));
}

function scheduleRows(form: RuleFormValues, field: (id: string, value: string) => Field) {
  const width = Math.max(...WEEKDAYS.map((d) => form.schedule[d].length));
  return {
    columns: Array.from({ length: width }, (_, i) => ({ number: i + 1 })),
    days: WEEKDAYS.map((day) => ({
      label: DAY_LABELS[day],
      slots: Array.from({ length: width }, (_, i) => {
        const slot = form.schedule[day][i] ?? { from: '', to: '' };
        return { number: i + 1, from: field(`sched-${day}-${String(i)}-from`, slot.from), to: field(`sched-${day}-${String(i)}-to`, slot.to) };
      }),
    })),
  };
}

function actionViews(form: RuleFormValues, ctx: EditorContext, field: (id: string, value: string) => Field, errors: FieldErrors) {
  return form.actions.map((a, n) => {
    const id = (name: string) => `action-${String(n)}-${name}`;
    return {
      n,
      type: a.type,
      isSms: a.type === 'sms',
      on: a.on,
      onId: id('on'),
      onLabel: a.type === 'sms' ? 'Send an SMS' : 'Call the webhook',
      template: field(id('template'), a.template),
      payload: field(id('payload'), a.payload),
      endpoints: ctx.endpoints.map((e) => ({
        id: e.id,
        label: e.description ? `${e.description} (${e.url})` : e.url,
        disabled: !e.enabled,
        checked: a.endpointIds.includes(e.id),
      })),
      endpointsError: errors[id('endpointIds')],
      withoutConsent: choices(['pseudonymous', 'skip'] as const, (v) => (v === 'pseudonymous' ? 'Send it without personal data (visitor id only)' : 'Do not send it'), a.withoutConsent || 'pseudonymous'),
      withoutConsentError: errors[id('withoutConsent')],
    };
  });
}

export function editorView(form: RuleFormValues, errors: FieldErrors, ctx: EditorContext) {
  const field = (id: string, value: string): Field => ({ id, value, error: errors[id] });
  const f = Object.fromEntries(
    (['name', 'description', 'dwellMinutes', 'minDays', 'maxDays', 'customName', 'visitsMin', 'visitsMax', 'daysMin', 'daysMax', 'cooldownValue', 'quietFrom', 'quietTo', 'controlPercent'] as const).map((k) => [k, field(k, form[k])]),
  );
  const rule = ctx.rule;
  return {
    title: rule ? `Edit ${rule.name}` : 'New rule',
    rule,
    formAction: rule ? `/admin/rules/${rule.id}/edit` : '/admin/rules',
    cancelHref: rule ? `/admin/rules/${rule.id}` : '/admin/rules',
    hasErrors: Object.keys(errors).length > 0,
    errors,
    f,
    enabled: form.enabled,
    knownVisitor: form.knownVisitor,
    dailyCap: form.dailyCap,
    triggers: choices(EDITOR_TRIGGERS, (t) => TRIGGER_LABELS[t], form.triggerType),
    venues: ctx.venues.map((v) => ({
      id: v.id,
      name: v.name,
      timezone: v.timezone,
      checked: form.venueIds.includes(v.id),
      zones: v.zones.map((z) => ({ id: z.id, name: z.name, checked: form.zoneIds.includes(z.id) })),
    })),
    hasZones: ctx.venues.some((v) => v.zones.length > 0),
    loyalty: choices(LOYALTY_CHOICES, (v) => LOYALTY_LABELS[v], form.loyalty || 'any'),
    conditions: conditionRows(form, field, errors),
    schedule: scheduleRows(form, field),
    cooldownUnits: choices(Object.keys(COOLDOWN_UNITS) as (keyof typeof COOLDOWN_UNITS)[], (u) => u, form.cooldownUnit),
    quietModes: choices(['hold', 'drop'] as const, (m) => (m === 'hold' ? 'Hold until they end' : 'Do not send'), form.quietMode || 'hold'),
    actions: actionViews(form, ctx, field, errors),
    hasEndpoints: ctx.endpoints.length > 0,
    settings: ctx.settings,
    dailyCapHint:
      ctx.settings.dailyCapPerVisitor === 0
        ? 'Your organisation has no daily cap set.'
        : `At most ${String(ctx.settings.dailyCapPerVisitor)} messages per visitor per day across all rules that count. Untick for service messages that should neither count nor be stopped.`,
  };
}
