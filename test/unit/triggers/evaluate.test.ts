import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConditionTrace, Decision } from '../../../src/triggers/ports.js';
import { evaluateRule, inScope, matchesTrigger } from '../../../src/triggers/rules/evaluate.js';
import { makeEvent, makeInput, makeRule, makeVisitor, OTHER_VENUE_ID, VENUE_ID, ZONE_ID } from './fixtures.js';

const conditions = (d: Decision): string[] => d.trace.map((t) => t.condition);
const entry = (d: Decision, condition: string): ConditionTrace | undefined => d.trace.find((t) => t.condition === condition);

describe('evaluateRule: a rule that fires', () => {
  it('plans the SMS and traces every check in order, passed ones included', () => {
    const decision = evaluateRule(makeInput());
    assert.equal(decision.outcome, 'fired');
    assert.equal(decision.reason, undefined);
    assert.deepEqual(decision.actions, [{ index: 0, channel: 'sms', status: 'send' }]);
    assert.deepEqual(conditions(decision), [
      'trigger', 'scope.venue', 'scope.zone', 'audience.knownVisitor', 'schedule', 'cooldown', 'dailyCap', 'controlGroup',
      'actions.0.consent.sms', 'actions.0.smsSuppressed', 'actions.0.quietHours',
    ]);
    assert.ok(decision.trace.every((t) => t.passed));
    assert.deepEqual(entry(decision, 'schedule'), { condition: 'schedule', expected: 'any time', actual: 'wed 12:00', passed: true });
  });
});

describe('trigger and scope', () => {
  it('matches dwell thresholds exactly, return gaps within bounds and custom names', () => {
    const dwell = makeRule({ trigger: { type: 'presence.dwell', minutes: 20 } });
    assert.equal(matchesTrigger(dwell, makeEvent({ type: 'presence.dwell', dwellMinutes: 20 })), true);
    assert.equal(matchesTrigger(dwell, makeEvent({ type: 'presence.dwell', dwellMinutes: 10 })), false);
    const returned = makeRule({ trigger: { type: 'presence.returned', minDays: 14, maxDays: 60 } });
    assert.equal(matchesTrigger(returned, makeEvent({ type: 'presence.returned', daysSinceLastVisit: 14 })), true);
    assert.equal(matchesTrigger(returned, makeEvent({ type: 'presence.returned', daysSinceLastVisit: 13 })), false);
    assert.equal(matchesTrigger(returned, makeEvent({ type: 'presence.returned', daysSinceLastVisit: 61 })), false);
    const custom = makeRule({ trigger: { type: 'custom', name: 'purchase' } });
    assert.equal(matchesTrigger(custom, makeEvent({ type: 'custom', name: 'purchase' })), true);
    assert.equal(matchesTrigger(custom, makeEvent({ type: 'custom', name: 'refund' })), false);
    assert.equal(matchesTrigger(makeRule(), makeEvent({ type: 'portal.login' })), false);
  });

  it('limits to listed venues and zones; a zone list leaves out venue-wide events', () => {
    const venues = makeRule({ scope: { venueIds: [VENUE_ID], zoneIds: [] } });
    assert.equal(inScope(venues, makeEvent()), true);
    assert.equal(inScope(venues, makeEvent({ venueId: OTHER_VENUE_ID })), false);
    const zones = makeRule({ scope: { venueIds: [], zoneIds: [ZONE_ID] } });
    assert.equal(inScope(zones, makeEvent({ zoneId: ZONE_ID })), true);
    assert.equal(inScope(zones, makeEvent({ zoneId: null })), false);
    assert.equal(inScope(makeRule(), makeEvent({ venueId: OTHER_VENUE_ID, zoneId: ZONE_ID })), true);
  });

  it('suppresses without a reason and stops the trace when called for a non-matching rule anyway', () => {
    const decision = evaluateRule(makeInput({ event: makeEvent({ type: 'presence.left' }) }));
    assert.equal(decision.outcome, 'suppressed');
    assert.equal(decision.reason, undefined);
    assert.deepEqual(conditions(decision), ['trigger', 'scope.venue', 'scope.zone']);
    assert.deepEqual(entry(decision, 'trigger'), { condition: 'trigger', expected: { type: 'presence.entered' }, actual: { type: 'presence.left' }, passed: false });
    assert.deepEqual(decision.actions, []);
  });
});

describe('audience', () => {
  it('needs a known visitor by default', () => {
    const decision = evaluateRule(makeInput({ visitor: null, event: makeEvent({ visitorId: null }) }));
    assert.equal(decision.reason, 'audience');
    assert.deepEqual(entry(decision, 'audience.knownVisitor'), { condition: 'audience.knownVisitor', expected: true, actual: false, passed: false });
    assert.equal(entry(decision, 'schedule'), undefined, 'later checks are not run');
  });

  it('checks loyalty, visit count bounds and attributes', () => {
    const rule = makeRule({
      audience: { loyaltyMember: true, visitCount: { min: 2, max: 5 }, attributes: [{ key: 'tier', op: 'in', value: ['gold', 'silver'] }] },
    });
    const member = makeVisitor({ loyaltyMember: true, visitCount: 3, attributes: { tier: 'gold' } });
    assert.equal(evaluateRule(makeInput({ rule, visitor: member })).outcome, 'fired');
    for (const visitor of [{ ...member, loyaltyMember: false }, { ...member, visitCount: 6 }, { ...member, visitCount: 1 }, { ...member, attributes: { tier: 'bronze' } }]) {
      assert.equal(evaluateRule(makeInput({ rule, visitor })).reason, 'audience');
    }
    const traced = evaluateRule(makeInput({ rule, visitor: { ...member, attributes: { tier: 'bronze' } } }));
    assert.deepEqual(entry(traced, 'audience.attributes.tier'), {
      condition: 'audience.attributes.tier', expected: { op: 'in', value: ['gold', 'silver'] }, actual: 'bronze', passed: false,
    });
  });

  it("uses the event's daysSinceLastVisit, else whole local days since the previous visit", () => {
    const rule = makeRule({ audience: { daysSinceLastVisit: { min: 7 } } });
    assert.equal(evaluateRule(makeInput({ rule, event: makeEvent({ daysSinceLastVisit: 8 }) })).outcome, 'fired');
    // 2026-06-03 23:30 BST to 2026-06-10 12:00 BST: seven local calendar days (six and a half 24-hour periods).
    const visitor = makeVisitor({ previousVisitAt: new Date('2026-06-03T22:30:00Z') });
    const decision = evaluateRule(makeInput({ rule, visitor }));
    assert.equal(decision.outcome, 'fired');
    assert.equal(entry(decision, 'audience.daysSinceLastVisit')?.actual, 7);
    assert.equal(evaluateRule(makeInput({ rule, visitor: makeVisitor({ previousVisitAt: new Date('2026-06-04T00:30:00Z') }) })).reason, 'audience');
    assert.equal(evaluateRule(makeInput({ rule })).reason, 'audience', 'no previous visit: the condition cannot hold');
  });
});

describe('schedule', () => {
  it('is evaluated at the event time in the venue zone', () => {
    const rule = makeRule({ schedule: [{ days: ['wed'], from: '11:30', to: '12:30' }] });
    // 11:00 UTC is 12:00 BST (inside) but 16:30 in Kolkata (outside).
    assert.equal(evaluateRule(makeInput({ rule })).outcome, 'fired');
    const kolkata = evaluateRule(makeInput({ rule, timeZone: 'Asia/Kolkata', now: new Date('2026-06-10T05:00:00Z') }));
    assert.equal(kolkata.reason, 'outside_schedule');
    assert.equal(entry(kolkata, 'schedule')?.actual, 'wed 16:30');
  });
});

describe('cooldown and daily cap', () => {
  const now = new Date('2026-06-10T11:00:00Z');
  const minutesAgo = (m: number, ms = 0) => new Date(now.getTime() - m * 60_000 + ms);

  it('suppresses until exactly cooldownMinutes have passed since the last firing', () => {
    const rule = makeRule({ cooldownMinutes: 60 });
    const decide = (lastFiredAt: Date) => evaluateRule(makeInput({ rule, now, history: { lastFiredAt, firedToday: 0 } }));
    assert.equal(decide(minutesAgo(60, 1)).reason, 'cooldown');
    assert.equal(decide(minutesAgo(60)).outcome, 'fired');
    assert.deepEqual(entry(decide(minutesAgo(30)), 'cooldown')?.actual, { lastFiredAt: minutesAgo(30).toISOString(), minutesSince: 30 });
    assert.equal(evaluateRule(makeInput({ rule: makeRule({ cooldownMinutes: 0 }), now, history: { lastFiredAt: now, firedToday: 0 } })).outcome, 'fired');
  });

  it('applies the daily cap only to rules that count towards it, and not when the cap is 0', () => {
    const settings = { ...makeInput().settings, dailyCapPerVisitor: 3 };
    const decide = (firedToday: number, countsTowardsDailyCap = true, cap = 3) =>
      evaluateRule(makeInput({ rule: makeRule({ countsTowardsDailyCap }), settings: { ...settings, dailyCapPerVisitor: cap }, history: { lastFiredAt: null, firedToday } }));
    assert.equal(decide(2).outcome, 'fired');
    assert.equal(decide(3).reason, 'daily_cap');
    assert.deepEqual(entry(decide(3), 'dailyCap'), { condition: 'dailyCap', expected: 'fewer than 3 today', actual: 3, passed: false });
    assert.equal(decide(5, false).outcome, 'fired');
    assert.equal(entry(decide(5, false), 'dailyCap')?.expected, 'exempt');
    assert.equal(decide(50, true, 0).outcome, 'fired');
  });
});

describe('consent per action', () => {
  const both = makeRule({ actions: [{ type: 'webhook', withoutConsent: 'pseudonymous' }, { type: 'sms', template: 'Hi' }] });

  it('suppresses an SMS without marketing consent but still sends the pseudonymous webhook', () => {
    const visitor = makeVisitor({ consent: { terms: true, sms_marketing: false, crm_sharing: false } });
    const decision = evaluateRule(makeInput({ rule: both, visitor }));
    assert.equal(decision.outcome, 'fired');
    assert.deepEqual(decision.actions, [
      { index: 0, channel: 'webhook', status: 'send', personalData: false },
      { index: 1, channel: 'sms', status: 'suppressed', reason: 'no_consent' },
    ]);
    assert.equal(entry(decision, 'actions.1.consent.sms')?.passed, false);
  });

  it('carries personal data to the webhook only with CRM-sharing consent', () => {
    assert.equal(evaluateRule(makeInput({ rule: both })).actions[0]?.personalData, true);
  });

  it("skips a webhook set to 'skip' without consent and reports the opt-out before the missing consent", () => {
    const rule = makeRule({ actions: [{ type: 'webhook', withoutConsent: 'skip' }, { type: 'sms', template: 'Hi' }] });
    const visitor = makeVisitor({ consent: { terms: true, sms_marketing: true, crm_sharing: false }, smsSuppressed: true });
    const decision = evaluateRule(makeInput({ rule, visitor }));
    assert.equal(decision.outcome, 'suppressed');
    assert.equal(decision.reason, 'opted_out');
    assert.deepEqual(decision.actions.map((a) => a.reason), ['no_consent', 'opted_out']);
    const noConsent = evaluateRule(makeInput({ rule, visitor: { ...visitor, smsSuppressed: false, consent: { ...visitor.consent, sms_marketing: false } } }));
    assert.equal(noConsent.reason, 'no_consent');
  });

  it('never plans an SMS to an anonymous visitor', () => {
    const rule = makeRule({ audience: { knownVisitor: false } });
    const decision = evaluateRule(makeInput({ rule, visitor: null, event: makeEvent({ visitorId: null }) }));
    assert.equal(decision.reason, 'no_consent');
    assert.deepEqual(entry(decision, 'actions.0.consent.sms'), { condition: 'actions.0.consent.sms', expected: true, actual: null, passed: false });
  });
});

describe('quiet hours at processing time', () => {
  const late = new Date('2026-03-28T22:15:00Z'); // Saturday 22:15 GMT, the night the clocks go forward

  it('holds an SMS until the local end of quiet hours, DST included', () => {
    const decision = evaluateRule(makeInput({ now: late, event: makeEvent({ occurredAt: '2026-03-28T22:14:00Z' }) }));
    assert.equal(decision.outcome, 'fired');
    assert.deepEqual(decision.actions, [{ index: 0, channel: 'sms', status: 'hold', notBefore: '2026-03-29T07:00:00.000Z' }]);
    assert.equal(entry(decision, 'actions.0.quietHours')?.passed, false);
  });

  it("drops it instead in 'drop' mode, and follows the rule's own hours", () => {
    const drop = evaluateRule(makeInput({ rule: makeRule({ quietHours: { mode: 'drop' } }), now: late }));
    assert.equal(drop.outcome, 'suppressed');
    assert.equal(drop.reason, 'quiet_hours');
    const own = evaluateRule(makeInput({ rule: makeRule({ quietHours: { mode: 'hold', from: '23:00', to: '07:00' } }), now: late }));
    assert.deepEqual(own.actions[0], { index: 0, channel: 'sms', status: 'send' });
  });

  it('does not hold webhooks', () => {
    const decision = evaluateRule(makeInput({ rule: makeRule({ actions: [{ type: 'webhook' }] }), now: late }));
    assert.deepEqual(decision.actions, [{ index: 0, channel: 'webhook', status: 'send', personalData: true }]);
  });
});
