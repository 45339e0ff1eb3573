import type { Db } from '../../src/db/pool.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { newId } from '../../src/shared/ids.js';
import { recordDecisions, type DecisionRow } from '../../src/triggers/engine/decision.repository.js';
import type { NewDelivery } from '../../src/triggers/engine/delivery.repository.js';

/**
 * Decisions as the engine records them, 3 days ago unless said: 4 visitors messaged (one twice, one with the SMS
 * held), 4 in the control group, 3 suppressed otherwise, one fired 40 days ago; and who came back: messaged t1
 * (a visit), t2 (a Wi-Fi sign-in), not t3 (a visit only 30 minutes after) nor t4; control c1 only.
 */
export async function seedResults(db: Db, ids: { orgId: string; venueId: string; ruleId: string }): Promise<void> {
  const { orgId, venueId, ruleId } = ids;
  const day = 86_400_000;
  const ago = (ms: number) => new Date(Date.now() - ms);
  const repo = new VisitorRepository(db);
  const phones = Array.from({ length: 8 }, (_, i) => `+4470099${String(10_000 + i)}`);
  const [t1, t2, t3, t4, c1, c2, c3, c4] = await Promise.all(phones.map(async (phone) => (await repo.upsert({ id: newId(), orgId, phone }, new Date())).id));
  const decision = (visitorId: string | undefined, outcome: DecisionRow['outcome'], reason: string | null, decidedAt = ago(3 * day), actions: DecisionRow['actions'] = []): DecisionRow =>
    ({ id: newId(), orgId, ruleId, ruleVersion: 1, eventId: newId(), eventType: 'presence.dwell', venueId, zoneId: null, visitorId: visitorId ?? null, outcome, reason, trace: [], actions, occurredAt: decidedAt, decidedAt });
  const fired = [t1, t2, t3].map((v) => decision(v, 'fired', null));
  const held = decision(t4, 'fired', null, ago(3 * day), [{ index: 0, channel: 'sms', status: 'hold' }]);
  const decisions = [...fired, held, decision(t1, 'fired', null, ago(2 * day)), ...[c1, c2, c3, c4].map((v) => decision(v, 'suppressed', 'control_group'))];
  decisions.push(decision(t2, 'suppressed', 'cooldown', ago(day)), decision(t3, 'suppressed', 'cooldown', ago(day)), decision(undefined, 'suppressed', 'audience', ago(day)), decision(t4, 'fired', null, ago(40 * day)));
  const delivery = (d: DecisionRow, channel: NewDelivery['channel'], status: NewDelivery['status']): NewDelivery =>
    ({ id: newId(), orgId, decisionId: d.id, ruleId, visitorId: d.visitorId, channel, endpointId: null, status, payload: {}, notBefore: null });
  const deliveries = [delivery(fired[0]!, 'sms', 'delivered'), delivery(fired[1]!, 'sms', 'delivered'), delivery(held, 'sms', 'held'), delivery(fired[2]!, 'webhook', 'failed')];
  await recordDecisions(db, decisions, deliveries, ago(3 * day));
  const visit = (visitorId: string | undefined, at: Date) =>
    db.query(`INSERT INTO visitor_visit_stats (visitor_id, org_id, venue_id, visits, first_visit_at, last_visit_at, last_visit_key) VALUES ($1, $2, $3, 2, $4, $4, 'k')`, [visitorId, orgId, venueId, at]);
  await visit(t1, ago(2.5 * day));
  await visit(t3, new Date(ago(3 * day).getTime() + 30 * 60_000));
  await visit(c1, ago(day));
  await db.query(
    `INSERT INTO portal_logins (id, org_id, phone, device_hash, venue_id, gateway_id, method, consents, logged_in_at) VALUES ($1, $2, $3, $4, $5, $6, 'sms_code', '{}', $7)`,
    [newId(), orgId, phones[1], 'e'.repeat(64), venueId, newId(), ago(day)],
  );
}
