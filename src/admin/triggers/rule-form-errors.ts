import { onSlots, scheduleWindows } from './rule-form-mapping.js';
import { COOLDOWN_UNITS, type RuleFormValues } from './rule-form.js';

/**
 * Validation messages of the rule service (AppError details.fields, paths
 * like "audience.visitCount.min" or "actions.1.template") → one message per
 * editor field id, in words a marketer reads. Anything that fits no field
 * goes to "form", shown above the editor.
 */
export type FieldErrors = Record<string, string>;

const STATIC_FIELDS: [RegExp, string][] = [
  [/^name$/, 'name'],
  [/^description$/, 'description'],
  [/^enabled$/, 'enabled'],
  [/^trigger\.minutes$/, 'dwellMinutes'],
  [/^trigger\.minDays$/, 'minDays'],
  [/^trigger\.maxDays$/, 'maxDays'],
  [/^trigger\.name$/, 'customName'],
  [/^trigger(\.|$)/, 'triggerType'],
  [/^scope\.zoneIds/, 'zoneIds'],
  [/^scope(\.|$)/, 'venueIds'],
  [/^audience\.knownVisitor$/, 'knownVisitor'],
  [/^audience\.loyaltyMember$/, 'loyalty'],
  [/^audience\.visitCount\.min$/, 'visitsMin'],
  [/^audience\.visitCount(\.|$)/, 'visitsMax'],
  [/^audience\.daysSinceLastVisit\.min$/, 'daysMin'],
  [/^audience\.daysSinceLastVisit(\.|$)/, 'daysMax'],
  [/^audience\.attributes$/, 'conditions'],
  [/^cooldownMinutes$/, 'cooldownValue'],
  [/^countsTowardsDailyCap$/, 'dailyCap'],
  [/^quietHours\.from$/, 'quietFrom'],
  [/^quietHours\.to$/, 'quietTo'],
  [/^quietHours(\.|$)/, 'quietMode'],
  [/^controlGroupPercent$/, 'controlPercent'],
  [/^actions$/, 'actions'],
];

const ACTION_FIELDS: Record<string, string> = { template: 'template', endpointIds: 'endpointIds', payloadTemplate: 'payload', withoutConsent: 'withoutConsent' };

function scheduleField(form: RuleFormValues, window: number, rest: string): string {
  const slot = scheduleWindows(form.schedule)[window]?.slots[0];
  if (!slot) return 'schedule';
  return `sched-${slot.day}-${String(slot.index)}-${rest.startsWith('to') ? 'to' : 'from'}`;
}

function actionField(form: RuleFormValues, action: number, rest: string): string {
  const slot = onSlots(form)[action];
  const field = ACTION_FIELDS[rest.split('.')[0] ?? ''];
  return slot === undefined || field === undefined ? 'actions' : `action-${String(slot)}-${field}`;
}

/** The editor field an error path belongs to. */
export function fieldFor(path: string, form: RuleFormValues): string {
  const condition = /^audience\.attributes\.(\d+)\.(key|op|value)/.exec(path);
  if (condition) return `cond-${condition[1] ?? '0'}-${condition[2] ?? 'key'}`;
  const window = /^schedule\.(\d+)\.?(.*)$/.exec(path);
  if (window) return scheduleField(form, Number(window[1]), window[2] ?? '');
  if (path.startsWith('schedule')) return 'schedule';
  const action = /^actions\.(\d+)\.?(.*)$/.exec(path);
  if (action) return actionField(form, Number(action[1]), action[2] ?? '');
  return STATIC_FIELDS.find(([pattern]) => pattern.test(path))?.[1] ?? 'form';
}

/** The schema's operand checks (`in needs a list of values`...) in a marketer's words. */
const OPERAND_MESSAGES: [RegExp, string][] = [
  [/needs a list of values/, 'Give a comma-separated list of values.'],
  [/needs a single value, not a list/, 'Give one value, not a list.'],
  [/needs a number or a string/, 'Give a number or a date, not true or false.'],
  [/takes no value/, 'Leave the value empty for this condition.'],
  [/needs a value/, 'This condition needs a value.'],
];

const sentence = (text: string): string => {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

/** The schema's wording for the common cases, rephrased; field-specific where a pattern means nothing to a reader. */
export function friendly(field: string, message: string): string {
  if (/expected string to have >=1 characters/.test(message)) return 'Required.';
  if (/expected number, received string/.test(message)) return 'Enter a number.';
  if (/expected int, received number/.test(message)) return 'Enter a whole number.';
  if (field === 'actions' && /expected array to have >=1 items/.test(message)) return 'Turn on at least one action: a webhook or an SMS.';
  if (field === 'cooldownValue' && /Too big/.test(message)) return 'At most 366 days.';
  const bound = /Too (big|small): expected number to be ([<>]=?)(-?\d+)/.exec(message);
  if (bound) {
    const inclusive = bound[2]?.includes('=') ?? false;
    const words = bound[1] === 'big' ? (inclusive ? 'At most' : 'Less than') : inclusive ? 'At least' : 'More than';
    return `${words} ${bound[3] ?? ''}.`;
  }
  if (field.startsWith('cond-')) {
    const operand = OPERAND_MESSAGES.find(([pattern]) => pattern.test(message));
    if (operand) return operand[1];
  }
  if (/must match pattern/.test(message)) {
    if (field.startsWith('cond-')) return 'Start with a letter or "_", then letters, digits, "_", "." or "-" (up to 64).';
    if (field === 'customName') return 'Letters, digits, "_", "." or "-" (1 to 64).';
  }
  if (/Invalid discriminator value|Invalid option/.test(message)) return 'Choose one of the options.';
  return sentence(message);
}

/** AppError details.fields → one message per editor field (the first for each). */
export function fieldErrors(fields: unknown, form: RuleFormValues): FieldErrors {
  const errors: FieldErrors = {};
  const list = Array.isArray(fields) ? (fields as unknown[]) : [];
  for (const item of list) {
    const { path, message } = (typeof item === 'object' && item !== null ? item : {}) as { path?: unknown; message?: unknown };
    const field = fieldFor(typeof path === 'string' ? path : '', form);
    errors[field] ??= friendly(field, typeof message === 'string' ? message : 'Not valid');
  }
  if (list.length === 0) errors.form = 'The rule is not valid.';
  return errors;
}

/**
 * What only the form can say: a cooldown unit it does not know, a payload
 * template that is not a JSON object (the schema would only see "expected
 * record, received string").
 */
export function formProblems(form: RuleFormValues): FieldErrors {
  const problems: FieldErrors = {};
  if (!Object.hasOwn(COOLDOWN_UNITS, form.cooldownUnit)) problems.cooldownValue = 'Choose a unit: minutes, hours or days.';
  form.actions.forEach((slot, i) => {
    if (!slot.on || slot.type !== 'webhook' || slot.payload.trim() === '') return;
    try {
      const parsed = JSON.parse(slot.payload) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) problems[`action-${String(i)}-payload`] = 'Must be a JSON object, e.g. {"campaign": "welcome"}.';
    } catch (error) {
      problems[`action-${String(i)}-payload`] = `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    }
  });
  return problems;
}
