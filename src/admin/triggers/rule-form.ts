import type { RuleDefinitionInput } from '../../triggers/rules/rule.schema.js';

/** What the simple editor posts (urlencoded: every value a string). */
export interface RuleFormValues {
  name: string;
  triggerType: string;
  minutes: string;
  days: string;
  venueId: string;
  template: string;
  cooldownHours: string;
  quietMode: string;
  controlPercent: string;
}

export const EDITOR_TRIGGERS = ['presence.entered', 'presence.dwell', 'presence.returned', 'presence.left', 'presence.passed_by', 'portal.login', 'visit.first'] as const;

export const emptyForm = (): RuleFormValues => ({
  name: '',
  triggerType: 'presence.dwell',
  minutes: '30',
  days: '14',
  venueId: '',
  template: 'Hi! Thanks for visiting {{venue.name}}.',
  cooldownHours: '168',
  quietMode: 'hold',
  controlPercent: '0',
});

const text = (body: Record<string, unknown>, key: keyof RuleFormValues): string => {
  const value = body[key];
  return typeof value === 'string' ? value : '';
};

export function readForm(body: unknown): RuleFormValues {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const values = emptyForm();
  for (const key of Object.keys(values) as (keyof RuleFormValues)[]) values[key] = text(b, key);
  return values;
}

/** A blank or non-numeric field stays a string, so the schema reports it against its field. */
const num = (value: string): number | string => (/^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value);

function triggerOf(v: RuleFormValues): Record<string, unknown> {
  if (v.triggerType === 'presence.dwell') return { type: v.triggerType, minutes: num(v.minutes) };
  if (v.triggerType === 'presence.returned') return { type: v.triggerType, minDays: num(v.days) };
  return { type: v.triggerType };
}

/** The rule definition the form describes; the rule service validates it. */
export function definitionFrom(v: RuleFormValues): RuleDefinitionInput | Record<string, unknown> {
  const hours = num(v.cooldownHours);
  return {
    name: v.name,
    trigger: triggerOf(v),
    scope: { venueIds: v.venueId ? [v.venueId] : [], zoneIds: [] },
    cooldownMinutes: typeof hours === 'number' ? Math.round(hours * 60) : hours,
    quietHours: { mode: v.quietMode },
    controlGroupPercent: num(v.controlPercent),
    actions: [{ type: 'sms', template: v.template }],
  };
}

/** Schema paths (e.g. "trigger.minutes", "actions.0.template") → the editor's field names. */
const FIELD_OF: [RegExp, keyof RuleFormValues][] = [
  [/^name/, 'name'],
  [/^trigger\.minutes/, 'minutes'],
  [/^trigger\.(minDays|maxDays)/, 'days'],
  [/^trigger/, 'triggerType'],
  [/^scope/, 'venueId'],
  [/^actions/, 'template'],
  [/^cooldownMinutes/, 'cooldownHours'],
  [/^quietHours/, 'quietMode'],
  [/^controlGroupPercent/, 'controlPercent'],
];

export type FieldErrors = Partial<Record<keyof RuleFormValues | 'form', string>>;

/** AppError details.fields ([{path, message}]) → one message per editor field; anything unplaced goes to "form". */
export function fieldErrors(fields: unknown): FieldErrors {
  const errors: FieldErrors = {};
  const list = Array.isArray(fields) ? (fields as unknown[]) : [];
  for (const item of list) {
    const { path, message } = (typeof item === 'object' && item !== null ? item : {}) as { path?: unknown; message?: unknown };
    const at = typeof path === 'string' ? path : '';
    const field = FIELD_OF.find(([pattern]) => pattern.test(at))?.[1] ?? 'form';
    errors[field] ??= typeof message === 'string' ? message : 'invalid';
  }
  if (list.length === 0) errors.form = 'The rule is not valid.';
  return errors;
}
