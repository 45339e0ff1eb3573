import { WEEKDAYS, type AttributeCondition, type RuleAction, type RuleDefinition, type RuleTrigger, type Weekday } from '../../triggers/rules/rule.schema.js';
import {
  COOLDOWN_UNITS,
  emptyAction,
  emptyForm,
  isBlankCondition,
  isBlankSlot,
  SLOTS_PER_DAY,
  type ActionSlot,
  type ConditionRow,
  type RuleFormValues,
  type ScheduleSlot,
} from './rule-form.js';

/**
 * The editor's form ⇄ a rule definition, both ways and pure. The form side
 * never validates: a value it cannot read stays a string, so the rule schema
 * (the same one the API uses) reports it against its path, and
 * rule-form-errors.ts puts the message next to the field.
 */

type Loose = Record<string, unknown>;

const NUMBER = /^-?\d+(\.\d+)?$/;
/** A number when it reads as one; anything else stays text for the schema to report. */
const num = (value: string): number | string => (NUMBER.test(value.trim()) ? Number(value) : value);
const optionalNum = (value: string): number | string | undefined => (value.trim() === '' ? undefined : num(value));

function range(min: string, max: string): Loose | undefined {
  const r = { min: optionalNum(min), max: optionalNum(max) };
  if (r.min === undefined && r.max === undefined) return undefined;
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
}

function triggerOf(v: RuleFormValues): Loose {
  switch (v.triggerType) {
    case 'presence.dwell':
      return { type: v.triggerType, minutes: num(v.dwellMinutes) };
    case 'presence.returned': {
      const t: Loose = { type: v.triggerType };
      if (v.minDays !== '') t.minDays = num(v.minDays);
      if (v.maxDays !== '') t.maxDays = num(v.maxDays);
      return t;
    }
    case 'custom':
      return { type: v.triggerType, name: v.customName };
    default:
      return { type: v.triggerType };
  }
}

/** One operand as typed: "quoted" text stays text, numbers and true/false become themselves. */
function scalar(raw: string, allowBoolean: boolean): string | number | boolean {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw;
    }
  }
  if (NUMBER.test(raw)) return Number(raw);
  if (allowBoolean && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/** A list operand: comma-separated, or a JSON array for values that contain commas. */
function listOperand(raw: string): unknown {
  if (raw.startsWith('[')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw.split(',').map((part) => scalar(part.trim(), false)).filter((part) => part !== '');
}

function operand(op: string, raw: string): unknown {
  if (raw === '') return undefined;
  if (op === 'in' || op === 'not_in') return listOperand(raw);
  if (op === 'contains') return raw;
  // exists/not_exists take none: a value typed anyway goes through so the schema says so.
  return scalar(raw, op === 'eq' || op === 'neq' || op === 'exists' || op === 'not_exists');
}

function conditionOf(c: ConditionRow): Loose {
  const value = operand(c.op, c.value);
  return value === undefined ? { key: c.key, op: c.op } : { key: c.key, op: c.op, value };
}

function audienceOf(v: RuleFormValues): Loose {
  const audience: Loose = { knownVisitor: v.knownVisitor, attributes: v.conditions.filter((c) => !isBlankCondition(c)).map(conditionOf) };
  if (v.loyalty === 'member' || v.loyalty === 'non-member') audience.loyaltyMember = v.loyalty === 'member';
  else if (v.loyalty !== 'any' && v.loyalty !== '') audience.loyaltyMember = v.loyalty;
  const visits = range(v.visitsMin, v.visitsMax);
  if (visits) audience.visitCount = visits;
  const days = range(v.daysMin, v.daysMax);
  if (days) audience.daysSinceLastVisit = days;
  return audience;
}

/** A window of the rule and the form slots it came from (the first one is where its errors show). */
export interface FormWindow {
  days: Weekday[];
  from: string;
  to: string;
  slots: { day: Weekday; index: number }[];
}

/** Filled weekday slots grouped into windows: one per distinct from–to, days in weekday order. */
export function scheduleWindows(schedule: Record<Weekday, ScheduleSlot[]>): FormWindow[] {
  const windows = new Map<string, FormWindow>();
  for (const day of WEEKDAYS) {
    schedule[day].forEach((slot, index) => {
      if (isBlankSlot(slot)) return;
      const key = `${slot.from}|${slot.to}`;
      const window = windows.get(key) ?? { days: [], from: slot.from, to: slot.to, slots: [] };
      if (!window.days.includes(day)) window.days.push(day);
      window.slots.push({ day, index });
      windows.set(key, window);
    });
  }
  return [...windows.values()];
}

function actionOf(slot: ActionSlot): Loose {
  if (slot.type === 'sms') return { type: 'sms', template: slot.template };
  const action: Loose = { type: 'webhook', endpointIds: slot.endpointIds, withoutConsent: slot.withoutConsent };
  const payload = slot.payload.trim();
  if (payload !== '') {
    try {
      action.payloadTemplate = JSON.parse(payload) as unknown;
    } catch {
      // Not JSON: the schema reports the path, rule-form-errors.ts says why.
      action.payloadTemplate = payload;
    }
  }
  return action;
}

/** Indexes of the form's action slots that are in the rule, in order: rule action N is slot onSlots[N]. */
export const onSlots = (v: RuleFormValues): number[] => v.actions.flatMap((a, i) => (a.on ? [i] : []));

/** The definition the form describes; the rule service validates it. */
export function definitionFrom(v: RuleFormValues): Loose {
  const unit = COOLDOWN_UNITS[v.cooldownUnit as keyof typeof COOLDOWN_UNITS] as number | undefined;
  const cooldown = num(v.cooldownValue);
  const quietHours: Loose = { mode: v.quietMode };
  if (v.quietFrom !== '') quietHours.from = v.quietFrom;
  if (v.quietTo !== '') quietHours.to = v.quietTo;
  return {
    name: v.name,
    description: v.description,
    enabled: v.enabled,
    trigger: triggerOf(v),
    scope: { venueIds: v.venueIds, zoneIds: v.zoneIds },
    audience: audienceOf(v),
    schedule: scheduleWindows(v.schedule).map(({ days, from, to }) => ({ days, from, to })),
    // Minutes stay whole: a fraction of a minute is a mistake the schema reports. No known unit: text, reported too.
    cooldownMinutes: unit === undefined ? v.cooldownValue : typeof cooldown === 'number' ? Math.round(cooldown * unit * 1000) / 1000 : cooldown,
    countsTowardsDailyCap: v.dailyCap,
    quietHours,
    controlGroupPercent: num(v.controlPercent),
    actions: v.actions.filter((a) => a.on).map(actionOf),
  };
}

// ---- rule → form ----

function triggerFields(t: RuleTrigger): Partial<RuleFormValues> {
  if (t.type === 'presence.dwell') return { dwellMinutes: String(t.minutes) };
  if (t.type === 'presence.returned') return { minDays: String(t.minDays), maxDays: t.maxDays === undefined ? '' : String(t.maxDays) };
  if (t.type === 'custom') return { customName: t.name };
  return {};
}

/** Text that would read back as a number or boolean is quoted, so it stays text. */
function scalarText(value: string | number | boolean, quoteAmbiguous: boolean): string {
  if (typeof value !== 'string') return String(value);
  const ambiguous = NUMBER.test(value) || value === 'true' || value === 'false' || value.startsWith('"') || value !== value.trim();
  return quoteAmbiguous && ambiguous ? JSON.stringify(value) : value;
}

function operandText(c: AttributeCondition): string {
  const { value } = c;
  if (value === undefined) return '';
  if (Array.isArray(value)) {
    const plain = value.every((v) => typeof v === 'number' || (v !== '' && !/[,"[]/.test(v) && !NUMBER.test(v) && v === v.trim()));
    return plain ? value.map((v) => String(v)).join(', ') : JSON.stringify(value);
  }
  return scalarText(value, c.op !== 'contains');
}

function scheduleOf(d: RuleDefinition): Record<Weekday, ScheduleSlot[]> {
  const days = Object.fromEntries(WEEKDAYS.map((day) => [day, [] as ScheduleSlot[]])) as Record<Weekday, ScheduleSlot[]>;
  for (const w of d.schedule) for (const day of w.days) days[day].push({ from: w.from, to: w.to });
  const width = Math.max(SLOTS_PER_DAY, ...WEEKDAYS.map((day) => days[day].length));
  for (const day of WEEKDAYS) while (days[day].length < width) days[day].push({ from: '', to: '' });
  return days;
}

function cooldownFields(minutes: number): Pick<RuleFormValues, 'cooldownValue' | 'cooldownUnit'> {
  if (minutes > 0 && minutes % COOLDOWN_UNITS.days === 0) return { cooldownValue: String(minutes / COOLDOWN_UNITS.days), cooldownUnit: 'days' };
  if (minutes % COOLDOWN_UNITS.hours === 0) return { cooldownValue: String(minutes / COOLDOWN_UNITS.hours), cooldownUnit: 'hours' };
  return { cooldownValue: String(minutes), cooldownUnit: 'minutes' };
}

function slotOf(a: RuleAction): ActionSlot {
  if (a.type === 'sms') return { ...emptyAction('sms', true), template: a.template };
  return {
    ...emptyAction('webhook', true),
    endpointIds: [...a.endpointIds],
    payload: a.payloadTemplate === undefined ? '' : JSON.stringify(a.payloadTemplate, null, 2),
    withoutConsent: a.withoutConsent,
  };
}

/** The rule's actions in order, then an unused slot for each channel the rule does not use yet. */
function actionSlots(d: RuleDefinition): ActionSlot[] {
  const slots = d.actions.map(slotOf);
  for (const type of ['sms', 'webhook'] as const) if (!d.actions.some((a) => a.type === type)) slots.push(emptyAction(type));
  return slots;
}

/** The editor filled in from a saved definition (fields of other trigger types keep their defaults). */
export function formFrom(d: RuleDefinition): RuleFormValues {
  const a = d.audience;
  const bounds = (r: { min?: number | undefined; max?: number | undefined } | undefined) => [r?.min === undefined ? '' : String(r.min), r?.max === undefined ? '' : String(r.max)];
  const [visitsMin = '', visitsMax = ''] = bounds(a.visitCount);
  const [daysMin = '', daysMax = ''] = bounds(a.daysSinceLastVisit);
  return {
    ...emptyForm(),
    ...triggerFields(d.trigger),
    name: d.name,
    description: d.description,
    enabled: d.enabled,
    triggerType: d.trigger.type,
    venueIds: [...d.scope.venueIds],
    zoneIds: [...d.scope.zoneIds],
    knownVisitor: a.knownVisitor,
    loyalty: a.loyaltyMember === undefined ? 'any' : a.loyaltyMember ? 'member' : 'non-member',
    visitsMin,
    visitsMax,
    daysMin,
    daysMax,
    conditions: a.attributes.map((c) => ({ key: c.key, op: c.op, value: operandText(c) })),
    schedule: scheduleOf(d),
    ...cooldownFields(d.cooldownMinutes),
    dailyCap: d.countsTowardsDailyCap,
    quietMode: d.quietHours.mode,
    quietFrom: d.quietHours.from ?? '',
    quietTo: d.quietHours.to ?? '',
    controlPercent: String(d.controlGroupPercent),
    actions: actionSlots(d),
  };
}
