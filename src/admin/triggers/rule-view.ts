import type { ConditionTrace } from '../../triggers/ports.js';
import type { RuleDefinition, RuleTrigger } from '../../triggers/rules/rule.schema.js';
import type { Venue } from '../../tenancy/index.js';

/** A rule definition as label/value rows a marketer can read (no JSON). */
export interface DefinitionRow {
  label: string;
  value: string;
}

export function describeTrigger(t: RuleTrigger): string {
  switch (t.type) {
    case 'presence.dwell':
      return `Stayed ${String(t.minutes)} minutes (presence.dwell)`;
    case 'presence.returned':
      return `Came back after at least ${String(t.minDays)} days${t.maxDays === undefined ? '' : ` and at most ${String(t.maxDays)}`} (presence.returned)`;
    case 'custom':
      return `Custom event "${t.name}"`;
    default:
      return t.type;
  }
}

export function venueNames(ids: string[], venues: Venue[]): string {
  if (ids.length === 0) return 'All venues';
  const names = new Map(venues.map((v) => [v.id, v.name]));
  return ids.map((id) => names.get(id) ?? 'Unknown venue').join(', ');
}

const range = (r: { min?: number | undefined; max?: number | undefined } | undefined): string | undefined =>
  r ? `${r.min === undefined ? 'any' : String(r.min)} to ${r.max === undefined ? 'any' : String(r.max)}` : undefined;

function audienceText(d: RuleDefinition): string {
  const a = d.audience;
  const parts = [a.knownVisitor ? 'Known visitors only' : 'Any visitor'];
  if (a.loyaltyMember !== undefined) parts.push(a.loyaltyMember ? 'loyalty members' : 'non-members');
  const visits = range(a.visitCount);
  if (visits) parts.push(`visits: ${visits}`);
  const days = range(a.daysSinceLastVisit);
  if (days) parts.push(`days since last visit: ${days}`);
  for (const c of a.attributes) parts.push(`${c.key} ${c.op}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`}`);
  return parts.join('; ');
}

function cooldownText(minutes: number): string {
  if (minutes === 0) return 'None';
  return minutes % 60 === 0 ? `${String(minutes / 60)} hours per visitor` : `${String(minutes)} minutes per visitor`;
}

function actionText(a: RuleDefinition['actions'][number]): DefinitionRow {
  if (a.type === 'sms') return { label: 'Action: SMS', value: a.template };
  const targets = a.endpointIds.length === 0 ? 'every subscribed endpoint' : `${String(a.endpointIds.length)} endpoint(s)`;
  return { label: 'Action: webhook', value: `To ${targets}; without CRM consent: ${a.withoutConsent}` };
}

export function definitionRows(d: RuleDefinition, venues: Venue[]): DefinitionRow[] {
  const q = d.quietHours;
  return [
    { label: 'Trigger', value: describeTrigger(d.trigger) },
    { label: 'Venues', value: venueNames(d.scope.venueIds, venues) },
    { label: 'Zones', value: d.scope.zoneIds.length === 0 ? 'Any zone' : `${String(d.scope.zoneIds.length)} zone(s)` },
    { label: 'Audience', value: audienceText(d) },
    { label: 'Schedule', value: d.schedule.length === 0 ? 'Any time' : d.schedule.map((w) => `${w.days.join(', ')} ${w.from}–${w.to}`).join('; ') },
    { label: 'Cooldown', value: cooldownText(d.cooldownMinutes) },
    { label: 'Daily cap', value: d.countsTowardsDailyCap ? 'Counts towards the daily cap' : 'Exempt from the daily cap' },
    { label: 'Quiet hours', value: `${q.mode === 'hold' ? 'Hold until they end' : 'Drop'}${q.from && q.to ? ` (${q.from}–${q.to})` : ' (organisation default)'}` },
    { label: 'Control group', value: `${String(d.controlGroupPercent)}%` },
    ...d.actions.map(actionText),
  ];
}

const show = (value: unknown): string => (value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

export const traceRows = (trace: ConditionTrace[]) =>
  trace.map((t) => ({ condition: t.condition, expected: show(t.expected), actual: show(t.actual), passed: t.passed }));
