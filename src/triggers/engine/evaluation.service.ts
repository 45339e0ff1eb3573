import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Db } from '../../db/pool.js';
import type { JobContext } from '../../queue/workers.js';
import type { Clock } from '../../shared/clock.js';
import type { PhoneHasher } from '../phone-hash.js';
import { inScope, loadVisitorFacts, matchesTrigger, type RulesModule } from '../rules/index.js';
import type { Rule } from '../rules/rule.schema.js';
import type { TriggerEvent } from '../trigger-event.js';
import type { DeliveryPlanner } from './delivery-planner.js';
import type { VenueCache, VenueInfo } from './event-refs.repository.js';
import type { EventScope, QueuedDelivery, RuleDecider } from './rule-decider.js';
import { countVisit, lastVisit } from './visit-stats.repository.js';
import { visitorLockKey, withVisitorLock } from './visitor-lock.js';
import { countsVisit, isNewVisit, visitMark, type VisitMark } from './visit-key.js';

/**
 * Evaluates one event: the venue's rules that listen to it, each decided
 * under a per-(org, visitor) transaction lock (so cooldowns and the daily cap
 * hold across concurrent events), one decision row per (rule, event), the
 * deliveries queued once committed. Also counts visits and derives visit.first.
 */
export interface EvaluationServiceDeps {
  db: Db;
  clock: Clock;
  rules: Pick<RulesModule, 'snapshot'>;
  planner: DeliveryPlanner;
  decider: RuleDecider;
  venues: VenueCache;
  hashPhone: PhoneHasher;
  /** Queues a delivery job (jobId = delivery id). */
  schedule: (job: { orgId: string; deliveryId: string }, jobId: string, delayMs: number) => Promise<void>;
  publish: (event: TriggerEvent) => Promise<void>;
}

/** `${id}:first`, or a digest when that would be longer than an event id may be. */
export const firstVisitId = (eventId: string): string =>
  eventId.length <= 94 ? `${eventId}:first` : `first:${createHash('sha256').update(eventId).digest('hex').slice(0, 40)}`;

export class EvaluationService {
  constructor(private readonly deps: EvaluationServiceDeps) {}

  async handle(event: TriggerEvent, context: JobContext): Promise<void> {
    const { db, rules } = this.deps;
    const venue = await this.deps.venues.get(db, event.orgId, event.venueId);
    if (!venue) {
      // Deleted since the event was produced: nothing to evaluate, and retrying will not bring it back.
      context.logger.warn({ eventId: event.id, venueId: event.venueId }, 'event for an unknown venue dropped');
      return;
    }
    // One look at the rules' version key per evaluation: rules and settings come together.
    const snapshot = await rules.snapshot(event.orgId, event.venueId);
    const matching = snapshot.rules.filter((r) => matchesTrigger(r, event) && inScope(r, event));
    const counts = countsVisit(event);
    if (matching.length === 0 && !counts) return;
    const endpoints = await this.deps.planner.resolveEndpoints(event, matching);
    const scope = { event, venue, now: this.deps.clock.now(), settings: snapshot.settings, endpoints };
    const lockKey = event.visitorId === null ? undefined : visitorLockKey(event.orgId, event.visitorId);
    const queued = await withVisitorLock(db, lockKey, (tx) => this.evaluateLocked(tx, scope, matching, counts));
    for (const d of queued) {
      const delayMs = d.notBefore ? Math.max(0, d.notBefore.getTime() - this.deps.clock.now().getTime()) : 0;
      await this.deps.schedule({ orgId: event.orgId, deliveryId: d.id }, d.id, delayMs);
    }
    context.logger.debug({ eventId: event.id, rules: matching.length, deliveries: queued.length }, 'event evaluated');
  }

  /** Under the visitor's lock (taken with BEGIN): the visit in hand, the facts as they are now, every matching rule, then the visit counted. */
  private async evaluateLocked(tx: PoolClient, scope: Omit<EventScope, 'visitor'>, matching: Rule[], counts: boolean): Promise<QueuedDelivery[]> {
    const { event, venue } = scope;
    if (event.visitorId === null) return this.deps.decider.decide(tx, { ...scope, visitor: null }, matching);
    const mark = counts ? visitMark(event, venue.timezone) : undefined;
    const last = mark ? await lastVisit(tx, event.orgId, event.visitorId, venue.id) : undefined;
    const isNew = mark !== undefined && isNewVisit(mark, last, venue.timezone);
    // Visit events see the visit in hand: about to be counted (visits + 1) or counted already (the last key); others the statistics as stored.
    const visitKey = mark === undefined ? undefined : isNew ? mark.key : last?.key;
    const visitor =
      matching.length === 0 ? null : await loadVisitorFacts(tx, { orgId: event.orgId, visitorId: event.visitorId, venueId: venue.id, visitKey }, this.deps.hashPhone);
    const queued = await this.deps.decider.decide(tx, { ...scope, visitor }, matching);
    if (mark && isNew) await this.countVisit(tx, event, venue, mark);
    return queued;
  }

  /** Counts the visit; the first one at this venue is a visit.first event of its own. */
  private async countVisit(tx: PoolClient, event: TriggerEvent, venue: VenueInfo, mark: VisitMark): Promise<void> {
    if (event.visitorId === null) return;
    const visits = await countVisit(tx, event.orgId, event.visitorId, venue.id, mark);
    if (visits !== 1) return;
    // Published under the lock: its evaluation waits for this transaction, so it sees the visit counted.
    await this.deps.publish({
      id: firstVisitId(event.id),
      type: 'visit.first',
      orgId: event.orgId,
      venueId: event.venueId,
      zoneId: event.zoneId,
      visitorId: event.visitorId,
      occurredAt: event.occurredAt,
      source: 'engine',
      ...(event.visitStartedAt === undefined ? {} : { visitStartedAt: event.visitStartedAt }),
    });
  }
}
