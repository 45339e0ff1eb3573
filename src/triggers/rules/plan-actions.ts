import type { ConditionTrace, EvaluationInput, PlannedAction } from '../ports.js';
import { effectiveQuietHours, quietHoursEnd, quietHoursTrace } from './quiet-hours.js';
import type { RuleAction } from './rule.schema.js';

/**
 * Consent and timing per action, once the rule as a whole fires. Consent is
 * checked again at the moment of sending; this is the plan at decision time.
 */

interface Planned {
  action: PlannedAction;
  trace: ConditionTrace[];
}

function planSms(index: number, input: EvaluationInput): Planned {
  const { visitor, now, timeZone } = input;
  const consented = visitor?.consent.sms_marketing ?? false;
  const suppressed = visitor?.smsSuppressed ?? false;
  const trace: ConditionTrace[] = [
    { condition: `actions.${index}.consent.sms`, expected: true, actual: visitor ? consented : null, passed: consented },
    { condition: `actions.${index}.smsSuppressed`, expected: false, actual: visitor ? suppressed : null, passed: visitor !== null && !suppressed },
  ];
  if (suppressed) return { action: { index, channel: 'sms', status: 'suppressed', reason: 'opted_out' }, trace };
  if (!consented) return { action: { index, channel: 'sms', status: 'suppressed', reason: 'no_consent' }, trace };
  const quiet = effectiveQuietHours(input.rule.definition, input.settings);
  const end = quietHoursEnd(now, timeZone, quiet);
  trace.push(quietHoursTrace(index, now, timeZone, quiet, end));
  if (!end) return { action: { index, channel: 'sms', status: 'send' }, trace };
  if (input.rule.definition.quietHours.mode === 'drop') return { action: { index, channel: 'sms', status: 'suppressed', reason: 'quiet_hours' }, trace };
  return { action: { index, channel: 'sms', status: 'hold', notBefore: end.toISOString() }, trace };
}

function planWebhook(index: number, action: Extract<RuleAction, { type: 'webhook' }>, input: EvaluationInput): Planned {
  const personalData = input.visitor?.consent.crm_sharing ?? false;
  const trace: ConditionTrace[] = [
    {
      condition: `actions.${index}.consent.crm_sharing`,
      expected: action.withoutConsent === 'skip' ? true : 'personal data only with consent',
      actual: input.visitor ? personalData : null,
      passed: personalData || action.withoutConsent === 'pseudonymous',
    },
  ];
  if (!personalData && action.withoutConsent === 'skip') {
    return { action: { index, channel: 'webhook', status: 'suppressed', reason: 'no_consent', personalData: false }, trace };
  }
  return { action: { index, channel: 'webhook', status: 'send', personalData }, trace };
}

export function planActions(input: EvaluationInput): { actions: PlannedAction[]; trace: ConditionTrace[] } {
  const planned = input.rule.definition.actions.map((action, index) =>
    action.type === 'sms' ? planSms(index, input) : planWebhook(index, action, input),
  );
  return { actions: planned.map((p) => p.action), trace: planned.flatMap((p) => p.trace) };
}
