import type { PoolClient } from 'pg';
import { newId } from '../../shared/ids.js';
import type { Decision, FiringHistory } from '../ports.js';
import { evaluateRule, firingHistory, localDayBounds, type LoadedVisitor } from '../rules/index.js';
import type { Rule, TriggerSettings } from '../rules/rule.schema.js';
import type { TriggerEvent } from '../trigger-event.js';
import { existingDecisionIds, recordDecisions, type DecisionRow } from './decision.repository.js';
import type { DeliveryPlanner, ResolvedEndpoints } from './delivery-planner.js';
import { unsentDeliveries } from './delivery.repository.js';
import type { VenueInfo } from './event-refs.repository.js';

/**
 * Decides every matching rule about one event inside the caller's transaction
 * (which holds the visitor's lock): evaluation is pure, the decisions go in
 * with one statement, the fired ones' deliveries with another.
 */
export interface EventScope {
  event: TriggerEvent;
  venue: VenueInfo;
  now: Date;
  visitor: LoadedVisitor | null;
  settings: TriggerSettings;
  endpoints: ResolvedEndpoints;
}

export interface QueuedDelivery {
  id: string;
  notBefore: Date | null;
}

const NO_HISTORY: FiringHistory = { lastFiredAt: null, firedToday: 0 };

/**
 * Suppressed before cooldown and cap are looked at (trigger, scope, audience, schedule
 * come first): the firing history cannot change it, so it need not be read.
 */
const decidedWithoutHistory = (d: Decision): boolean => d.outcome === 'suppressed' && (d.reason === undefined || d.reason === 'audience' || d.reason === 'outside_schedule');

export class RuleDecider {
  constructor(private readonly planner: DeliveryPlanner) {}

  async decide(tx: PoolClient, scope: EventScope, rules: Rule[]): Promise<QueuedDelivery[]> {
    const decided = await this.evaluate(tx, scope, rules);
    const { event, now } = scope;
    const rows: DecisionRow[] = decided.map(({ rule, decision }) => ({
      id: newId(),
      orgId: event.orgId,
      ruleId: rule.id,
      ruleVersion: rule.version,
      eventId: event.id,
      eventType: event.type,
      venueId: event.venueId,
      zoneId: event.zoneId,
      visitorId: event.visitorId,
      outcome: decision.outcome,
      reason: decision.reason ?? null,
      trace: decision.trace,
      actions: decision.actions,
      occurredAt: new Date(event.occurredAt),
      decidedAt: now,
    }));
    // Deliveries are planned for every fired decision; those of a decision that already existed are not inserted.
    const planned = decided.flatMap(({ rule, decision }, i) => {
      const decisionId = rows[i]?.id;
      return decision.outcome === 'fired' && decisionId !== undefined ? this.planner.plan({ ...scope, rule, decision, decisionId }) : [];
    });
    const inserted = await recordDecisions(tx, rows, planned, now);
    const queued = planned.filter((d) => inserted.deliveries.has(d.id)).map((d) => ({ id: d.id, notBefore: d.notBefore }));
    // Rules that had decided this event before (a redelivered event): re-queue only deliveries whose jobs may never have been added.
    const repeated = rows.filter((r) => !inserted.decisions.has(r.id)).map((r) => r.ruleId);
    if (repeated.length === 0) return queued;
    return [...queued, ...(await unsentDeliveries(tx, event.orgId, await existingDecisionIds(tx, event.orgId, event.id, repeated)))];
  }

  /** Pure evaluation per rule; the history only for rules that get as far as cooldown and cap. */
  private async evaluate(tx: PoolClient, scope: EventScope, rules: Rule[]): Promise<{ rule: Rule; decision: Decision }[]> {
    const { event, venue, now, visitor, settings } = scope;
    const decided: { rule: Rule; decision: Decision }[] = [];
    // Firings decided for this event already count towards the cap of the rules after them.
    let firedNow = 0;
    for (const rule of rules) {
      const input = { rule, event, now, timeZone: venue.timezone, visitor, settings };
      let decision = evaluateRule({ ...input, history: { ...NO_HISTORY, firedToday: firedNow } });
      if (event.visitorId !== null && !decidedWithoutHistory(decision)) {
        const day = localDayBounds(now, venue.timezone);
        const history = await firingHistory(tx, { orgId: event.orgId, ruleId: rule.id, visitorId: event.visitorId, dayStart: day.start, dayEnd: day.end });
        decision = evaluateRule({ ...input, history: { ...history, firedToday: history.firedToday + firedNow } });
      }
      if (decision.outcome === 'fired' && rule.definition.countsTowardsDailyCap) firedNow += 1;
      decided.push({ rule, decision });
    }
    return decided;
  }
}
