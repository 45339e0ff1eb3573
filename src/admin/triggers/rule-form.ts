import { WEEKDAYS, type Weekday } from '../../triggers/rules/rule.schema.js';

/**
 * What the rule editor posts, as the page keeps it between a failed save and
 * the re-rendered form: every value a string (urlencoded), checkboxes as
 * booleans, repeatable rows as arrays. Field names are flat ("cond-0-key",
 * "sched-mon-1-from", "action-0-template") because the staff router parses
 * forms with `extended: false`.
 */
export interface ConditionRow {
  key: string;
  op: string;
  value: string;
}

export interface ScheduleSlot {
  from: string;
  to: string;
}

export type ActionType = 'sms' | 'webhook';

export interface ActionSlot {
  type: ActionType;
  /** Off: the slot is shown but not part of the rule. */
  on: boolean;
  /** SMS text (Handlebars). */
  template: string;
  endpointIds: string[];
  /** JSON object text; blank: no payload template. */
  payload: string;
  withoutConsent: string;
}

export interface RuleFormValues {
  name: string;
  description: string;
  enabled: boolean;
  triggerType: string;
  dwellMinutes: string;
  minDays: string;
  maxDays: string;
  customName: string;
  venueIds: string[];
  zoneIds: string[];
  knownVisitor: boolean;
  /** any | member | non-member */
  loyalty: string;
  visitsMin: string;
  visitsMax: string;
  daysMin: string;
  daysMax: string;
  conditions: ConditionRow[];
  schedule: Record<Weekday, ScheduleSlot[]>;
  cooldownValue: string;
  /** minutes | hours | days */
  cooldownUnit: string;
  dailyCap: boolean;
  quietMode: string;
  quietFrom: string;
  quietTo: string;
  controlPercent: string;
  actions: ActionSlot[];
}

export const EDITOR_TRIGGERS = ['presence.entered', 'presence.dwell', 'presence.returned', 'presence.left', 'presence.passed_by', 'portal.login', 'visit.first', 'custom'] as const;
export const COOLDOWN_UNITS = { minutes: 1, hours: 60, days: 24 * 60 } as const;
export const LOYALTY_CHOICES = ['any', 'member', 'non-member'] as const;
/** Empty condition rows offered below the filled ones; more appear after saving. */
export const EMPTY_CONDITION_ROWS = 3;
export const MAX_CONDITIONS = 20;
/** Windows offered per weekday (more when a saved rule already has more). */
export const SLOTS_PER_DAY = 2;
const MAX_ROWS_READ = 40;

export const emptySlot = (): ScheduleSlot => ({ from: '', to: '' });
export const emptySchedule = (): Record<Weekday, ScheduleSlot[]> =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, Array.from({ length: SLOTS_PER_DAY }, emptySlot)])) as Record<Weekday, ScheduleSlot[]>;

export const emptyAction = (type: ActionType, on = false): ActionSlot => ({
  type,
  on,
  template: type === 'sms' ? 'Hi! Thanks for visiting {{venue.name}}.' : '',
  endpointIds: [],
  payload: '',
  withoutConsent: 'pseudonymous',
});

export const emptyForm = (): RuleFormValues => ({
  name: '',
  description: '',
  enabled: true,
  triggerType: 'presence.dwell',
  dwellMinutes: '30',
  minDays: '14',
  maxDays: '',
  customName: '',
  venueIds: [],
  zoneIds: [],
  knownVisitor: true,
  loyalty: 'any',
  visitsMin: '',
  visitsMax: '',
  daysMin: '',
  daysMax: '',
  conditions: [],
  schedule: emptySchedule(),
  cooldownValue: '7',
  cooldownUnit: 'days',
  dailyCap: true,
  quietMode: 'hold',
  quietFrom: '',
  quietTo: '',
  controlPercent: '0',
  actions: [emptyAction('sms', true), emptyAction('webhook')],
});

type Body = Record<string, unknown>;
const text = (b: Body, key: string): string => (typeof b[key] === 'string' ? b[key] : '');
const list = (b: Body, key: string): string[] => {
  const v = b[key];
  if (typeof v === 'string') return v === '' ? [] : [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
};
const checked = (b: Body, key: string): boolean => b[key] === 'yes';

/** Rows `${prefix}${n}-…` for n = 0, 1, … while the form has them. */
function rows<T>(b: Body, present: (n: number) => boolean, read: (n: number) => T): T[] {
  const out: T[] = [];
  for (let n = 0; n < MAX_ROWS_READ && present(n); n++) out.push(read(n));
  return out;
}

function readSchedule(b: Body): Record<Weekday, ScheduleSlot[]> {
  const schedule = emptySchedule();
  for (const day of WEEKDAYS) {
    const slots = rows(b, (n) => `sched-${day}-${n}-from` in b, (n) => ({ from: text(b, `sched-${day}-${n}-from`).trim(), to: text(b, `sched-${day}-${n}-to`).trim() }));
    if (slots.length > 0) schedule[day] = slots;
  }
  return schedule;
}

function readAction(b: Body, n: number): ActionSlot {
  const type: ActionType = text(b, `action-${n}-type`) === 'webhook' ? 'webhook' : 'sms';
  return {
    type,
    on: checked(b, `action-${n}-on`),
    template: text(b, `action-${n}-template`),
    endpointIds: list(b, `action-${n}-endpointIds`),
    payload: text(b, `action-${n}-payload`),
    withoutConsent: text(b, `action-${n}-withoutConsent`),
  };
}

/** The posted form as the editor's values (anything missing reads as empty or unchecked). */
export function readForm(body: unknown): RuleFormValues {
  const b: Body = typeof body === 'object' && body !== null ? (body as Body) : {};
  return {
    name: text(b, 'name'),
    description: text(b, 'description'),
    enabled: checked(b, 'enabled'),
    triggerType: text(b, 'triggerType'),
    dwellMinutes: text(b, 'dwellMinutes').trim(),
    minDays: text(b, 'minDays').trim(),
    maxDays: text(b, 'maxDays').trim(),
    customName: text(b, 'customName').trim(),
    venueIds: list(b, 'venueIds'),
    zoneIds: list(b, 'zoneIds'),
    knownVisitor: checked(b, 'knownVisitor'),
    loyalty: text(b, 'loyalty'),
    visitsMin: text(b, 'visitsMin').trim(),
    visitsMax: text(b, 'visitsMax').trim(),
    daysMin: text(b, 'daysMin').trim(),
    daysMax: text(b, 'daysMax').trim(),
    conditions: rows(b, (n) => `cond-${n}-key` in b, (n) => ({ key: text(b, `cond-${n}-key`).trim(), op: text(b, `cond-${n}-op`), value: text(b, `cond-${n}-value`).trim() })),
    schedule: readSchedule(b),
    cooldownValue: text(b, 'cooldownValue').trim(),
    cooldownUnit: text(b, 'cooldownUnit'),
    dailyCap: checked(b, 'dailyCap'),
    quietMode: text(b, 'quietMode'),
    quietFrom: text(b, 'quietFrom').trim(),
    quietTo: text(b, 'quietTo').trim(),
    controlPercent: text(b, 'controlPercent').trim(),
    actions: rows(b, (n) => `action-${n}-type` in b, (n) => readAction(b, n)),
  };
}

/** A condition row the marketer left blank is no condition (the operator select always has a value). */
export const isBlankCondition = (c: ConditionRow): boolean => c.key === '' && c.value === '';
export const isBlankSlot = (s: ScheduleSlot): boolean => s.from === '' && s.to === '';
