import type { ConditionTrace, Decision, EvaluationInput, PlannedAction, SuppressionReason } from '../ports.js';
import type { TriggerEvent } from '../trigger-event.js';
import { audienceTrace } from './audience.js';
import { controlBucket, inControlGroup } from './control-group.js';
import { localParts } from './local-time.js';
import { planActions } from './plan-actions.js';
import type { Rule } from './rule.schema.js';
import { scheduleTrace } from './schedule.js';

/**
 * The pure decision for one rule and one event: plain data in, a decision
 * with a trace of every condition checked out. Checks run in a fixed order
 * and stop at the first failing group, whose reason the decision carries.
 */

type RuleLike = Pick<Rule, 'definition'>;

export function triggerTrace(rule: RuleLike, event: TriggerEvent): ConditionTrace {
  const trigger = rule.definition.trigger;
  let passed = trigger.type === event.type;
  let actual: Record<string, unknown> = { type: event.type };
  if (trigger.type === 'presence.dwell') {
    actual = { ...actual, minutes: event.dwellMinutes ?? null };
    passed &&= event.dwellMinutes === trigger.minutes;
  } else if (trigger.type === 'presence.returned') {
    const days = event.daysSinceLastVisit;
    actual = { ...actual, days: days ?? null };
    passed &&= days !== undefined && days >= trigger.minDays && (trigger.maxDays === undefined || days <= trigger.maxDays);
  } else if (trigger.type === 'custom') {
    actual = { ...actual, name: event.name ?? null };
    passed &&= event.name === trigger.name;
  }
  return { condition: 'trigger', expected: { ...trigger }, actual, passed };
}

/** Empty lists: every venue / any zone. A zone list leaves out events about the venue as a whole. */
export function scopeTrace(rule: RuleLike, event: TriggerEvent): ConditionTrace[] {
  const { venueIds, zoneIds } = rule.definition.scope;
  return [
    { condition: 'scope.venue', expected: venueIds.length ? venueIds : 'any', actual: event.venueId, passed: venueIds.length === 0 || venueIds.includes(event.venueId) },
    {
      condition: 'scope.zone',
      expected: zoneIds.length ? zoneIds : 'any',
      actual: event.zoneId,
      passed: zoneIds.length === 0 || (event.zoneId !== null && zoneIds.includes(event.zoneId)),
    },
  ];
}

/** Whether the rule listens to this event at all (non-matching rules are not recorded). */
export const matchesTrigger = (rule: RuleLike, event: TriggerEvent): boolean => triggerTrace(rule, event).passed;

export const inScope = (rule: RuleLike, event: TriggerEvent): boolean => scopeTrace(rule, event).every((t) => t.passed);

function cooldownTrace({ rule, history, now }: EvaluationInput): ConditionTrace {
  const minutes = rule.definition.cooldownMinutes;
  const last = history.lastFiredAt;
  const since = last ? Math.floor((now.getTime() - last.getTime()) / 60_000) : null;
  const passed = minutes === 0 || last === null || last.getTime() + minutes * 60_000 <= now.getTime();
  return {
    condition: 'cooldown',
    expected: minutes === 0 ? 'none' : `at least ${minutes} min since the last firing`,
    actual: last ? { lastFiredAt: last.toISOString(), minutesSince: since } : null,
    passed,
  };
}

function dailyCapTrace({ rule, settings, history }: EvaluationInput): ConditionTrace {
  const cap = settings.dailyCapPerVisitor;
  const applies = rule.definition.countsTowardsDailyCap && cap > 0;
  const expected = !rule.definition.countsTowardsDailyCap ? 'exempt' : cap === 0 ? 'no cap' : `fewer than ${cap} today`;
  return { condition: 'dailyCap', expected, actual: history.firedToday, passed: !applies || history.firedToday < cap };
}

function controlGroupTrace({ rule, event }: EvaluationInput): ConditionTrace {
  const percent = rule.definition.controlGroupPercent;
  // Anonymous events still split deterministically (by event) so redelivery decides the same.
  const bucket = controlBucket(rule.id, event.visitorId ?? `event:${event.id}`);
  return { condition: 'controlGroup', expected: percent === 0 ? 'none' : `bucket >= ${percent}`, actual: bucket, passed: !inControlGroup(percent, bucket) };
}

/** The checks after trigger and scope, in order; each group is built only when the previous ones passed. */
function gates(input: EvaluationInput): [SuppressionReason, () => ConditionTrace[]][] {
  const { rule, event, visitor, timeZone } = input;
  return [
    ['audience', () => audienceTrace(rule.definition.audience, event, visitor, timeZone)],
    ['outside_schedule', () => [scheduleTrace(rule.definition.schedule, localParts(new Date(event.occurredAt), timeZone))]],
    ['cooldown', () => [cooldownTrace(input)]],
    ['daily_cap', () => [dailyCapTrace(input)]],
    ['control_group', () => [controlGroupTrace(input)]],
  ];
}

export function evaluateRule(input: EvaluationInput): Decision {
  const trace: ConditionTrace[] = [triggerTrace(input.rule, input.event), ...scopeTrace(input.rule, input.event)];
  // Trigger and scope are prerequisites: the engine skips such rules unrecorded; called anyway, nothing fires.
  if (trace.some((t) => !t.passed)) return { outcome: 'suppressed', trace, actions: [] };
  for (const [reason, check] of gates(input)) {
    const group = check();
    trace.push(...group);
    if (group.some((t) => !t.passed)) return { outcome: 'suppressed', reason, trace, actions: [] };
  }
  const planned = planActions(input);
  trace.push(...planned.trace);
  return { ...outcomeOf(planned.actions), trace, actions: planned.actions };
}

/** Fired when anything is sent or held; otherwise the first suppressed action's reason (an opt-out first). */
function outcomeOf(actions: PlannedAction[]): Pick<Decision, 'outcome' | 'reason'> {
  if (actions.some((a) => a.status !== 'suppressed')) return { outcome: 'fired' };
  const reason = actions.find((a) => a.reason === 'opted_out')?.reason ?? actions.find((a) => a.reason)?.reason;
  return reason ? { outcome: 'suppressed', reason } : { outcome: 'suppressed' };
}
