import type { Queryable } from '../../db/pool.js';
import type { ConditionTrace, PlannedAction } from '../ports.js';
import type { NewDelivery } from './delivery.repository.js';
import { SqlFilter } from './sql-filter.js';

/** The decision log: one row per (rule, event), written once. */
export interface DecisionRow {
  id: string;
  orgId: string;
  ruleId: string;
  ruleVersion: number;
  eventId: string;
  eventType: string;
  venueId: string | null;
  zoneId: string | null;
  visitorId: string | null;
  outcome: 'fired' | 'suppressed';
  reason: string | null;
  trace: ConditionTrace[];
  actions: PlannedAction[];
  occurredAt: Date;
  decidedAt: Date;
}

export interface DecisionFilter {
  ruleId?: string;
  visitorId?: string;
  outcome?: 'fired' | 'suppressed';
  reason?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

const COLUMNS = `id, org_id AS "orgId", rule_id AS "ruleId", rule_version AS "ruleVersion", event_id AS "eventId",
  event_type AS "eventType", venue_id AS "venueId", zone_id AS "zoneId", visitor_id AS "visitorId", outcome, reason,
  trace, actions, occurred_at AS "occurredAt", decided_at AS "decidedAt"`;

const decisionRecord = (d: DecisionRow) => ({
  id: d.id, org_id: d.orgId, rule_id: d.ruleId, rule_version: d.ruleVersion, event_id: d.eventId, event_type: d.eventType,
  venue_id: d.venueId, zone_id: d.zoneId, visitor_id: d.visitorId, outcome: d.outcome, reason: d.reason,
  trace: d.trace, actions: d.actions, occurred_at: d.occurredAt, decided_at: d.decidedAt,
});

const deliveryRecord = (d: NewDelivery) => ({
  id: d.id, org_id: d.orgId, decision_id: d.decisionId, rule_id: d.ruleId, visitor_id: d.visitorId, channel: d.channel,
  endpoint_id: d.endpointId, status: d.status, payload: d.payload, not_before: d.notBefore,
});

/**
 * Inserts the decisions and the deliveries of the fired ones in one statement. A rule
 * that already decided this event keeps its row, and its new deliveries are dropped.
 * Returns the ids actually inserted.
 */
export async function recordDecisions(db: Queryable, decisions: DecisionRow[], deliveries: NewDelivery[], at: Date): Promise<{ decisions: Set<string>; deliveries: Set<string> }> {
  if (decisions.length === 0) return { decisions: new Set(), deliveries: new Set() };
  const { rows } = await db.query<{ kind: 'decision' | 'delivery'; id: string }>(
    `WITH d AS (
       INSERT INTO trigger_decisions (id, org_id, rule_id, rule_version, event_id, event_type, venue_id, zone_id, visitor_id,
         outcome, reason, trace, actions, occurred_at, decided_at)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, org_id uuid, rule_id uuid, rule_version integer, event_id text,
         event_type text, venue_id uuid, zone_id uuid, visitor_id uuid, outcome text, reason text, trace jsonb, actions jsonb,
         occurred_at timestamptz, decided_at timestamptz)
       ON CONFLICT (org_id, rule_id, event_id) DO NOTHING RETURNING id
     ), x AS (
       INSERT INTO trigger_deliveries (id, org_id, decision_id, rule_id, visitor_id, channel, endpoint_id, status, payload, not_before, created_at, updated_at)
       SELECT r.*, $3, $3 FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, org_id uuid, decision_id uuid, rule_id uuid, visitor_id uuid,
         channel text, endpoint_id uuid, status text, payload jsonb, not_before timestamptz)
       WHERE r.decision_id IN (SELECT id FROM d) RETURNING id
     )
     SELECT 'decision' AS kind, id FROM d UNION ALL SELECT 'delivery' AS kind, id FROM x`,
    [JSON.stringify(decisions.map(decisionRecord)), JSON.stringify(deliveries.map(deliveryRecord)), at],
  );
  const ids = (kind: string) => new Set(rows.filter((r) => r.kind === kind).map((r) => r.id));
  return { decisions: ids('decision'), deliveries: ids('delivery') };
}

/** The decisions these rules already made about the event. */
export async function existingDecisionIds(db: Queryable, orgId: string, eventId: string, ruleIds: string[]): Promise<string[]> {
  if (ruleIds.length === 0) return [];
  const { rows } = await db.query<{ id: string }>('SELECT id FROM trigger_decisions WHERE org_id = $1 AND event_id = $2 AND rule_id = ANY($3::uuid[])', [orgId, eventId, ruleIds]);
  return rows.map((r) => r.id);
}

/** Newest first; one more row than `limit` tells the caller another page exists. */
export async function listDecisions(db: Queryable, orgId: string, f: DecisionFilter): Promise<DecisionRow[]> {
  const filter = new SqlFilter(orgId)
    .add('rule_id = ?', f.ruleId)
    .add('visitor_id = ?', f.visitorId)
    .add('outcome = ?', f.outcome)
    .add('reason = ?', f.reason)
    .add('decided_at >= ?', f.from)
    .add('decided_at < ?', f.to)
    .after('decided_at', f.cursor);
  const tail = filter.tail('decided_at', f.limit);
  const { rows } = await db.query<DecisionRow>(`SELECT ${COLUMNS} FROM trigger_decisions ${tail}`, filter.params);
  return rows;
}
