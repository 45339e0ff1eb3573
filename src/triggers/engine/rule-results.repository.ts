import type { Queryable } from '../../db/pool.js';

/**
 * What one rule did over a period, read from the decision and delivery logs,
 * and whether the visitors it decided about came back (for control-group lift).
 * Every query is scoped by organisation and rule.
 */
export interface ResultsWindow {
  orgId: string;
  ruleId: string;
  from: Date;
  to: Date;
}

export interface OutcomeCount {
  outcome: 'fired' | 'suppressed';
  reason: string | null;
  decisions: number;
  /** Distinct visitors among those decisions (anonymous events not counted). */
  visitors: number;
  /** Fired decisions with an SMS held for quiet hours. */
  held: number;
}

export interface DeliveryCount {
  channel: 'webhook' | 'sms';
  status: string;
  deliveries: number;
}

export interface ReturnCount {
  group: 'treated' | 'control';
  visitors: number;
  returned: number;
}

const n = (value: string | number): number => Number(value);

export async function outcomeCounts(db: Queryable, w: ResultsWindow): Promise<OutcomeCount[]> {
  const { rows } = await db.query<{ outcome: 'fired' | 'suppressed'; reason: string | null; decisions: string; visitors: string; held: string }>(
    `SELECT outcome, reason, count(*) AS decisions, count(DISTINCT visitor_id) AS visitors,
            count(*) FILTER (WHERE outcome = 'fired' AND actions @> '[{"status": "hold"}]'::jsonb) AS held
       FROM trigger_decisions
      WHERE org_id = $1 AND rule_id = $2 AND decided_at >= $3 AND decided_at < $4
      GROUP BY outcome, reason`,
    [w.orgId, w.ruleId, w.from, w.to],
  );
  return rows.map((r) => ({ outcome: r.outcome, reason: r.reason, decisions: n(r.decisions), visitors: n(r.visitors), held: n(r.held) }));
}

/** Deliveries are created in the same statement as their decision, so created_at is the decision's time. */
export async function deliveryCounts(db: Queryable, w: ResultsWindow): Promise<DeliveryCount[]> {
  const { rows } = await db.query<{ channel: 'webhook' | 'sms'; status: string; deliveries: string }>(
    `SELECT channel, status, count(*) AS deliveries
       FROM trigger_deliveries
      WHERE org_id = $1 AND rule_id = $2 AND created_at >= $3 AND created_at < $4
      GROUP BY channel, status`,
    [w.orgId, w.ruleId, w.from, w.to],
  );
  return rows.map((r) => ({ channel: r.channel, status: r.status, deliveries: n(r.deliveries) }));
}

/**
 * Visitors the rule fired for (treated) or held back (control group) in the
 * window, each placed by their first such decision, and how many came back:
 * a visit counted by the engine that started, or a Wi-Fi sign-in, at least
 * `gapMinutes` after that decision, at any of the organisation's venues, up to
 * now. visitor_visit_stats keeps only each venue's latest visit start, which is
 * enough: some visit started after the decision exactly when the latest did.
 */
export async function returnCounts(db: Queryable, w: ResultsWindow, gapMinutes: number): Promise<ReturnCount[]> {
  const { rows } = await db.query<{ grp: 'treated' | 'control'; visitors: string; returned: string }>(
    `WITH decided AS (
       SELECT visitor_id,
              min(decided_at) AS decided_at,
              (array_agg(CASE WHEN outcome = 'fired' THEN 'treated' ELSE 'control' END ORDER BY decided_at, id))[1] AS grp
         FROM trigger_decisions
        WHERE org_id = $1 AND rule_id = $2 AND decided_at >= $3 AND decided_at < $4 AND visitor_id IS NOT NULL
          AND (outcome = 'fired' OR reason = 'control_group')
        GROUP BY visitor_id
     ), outcome AS (
       SELECT d.grp,
              EXISTS (SELECT 1 FROM visitor_visit_stats s
                       WHERE s.org_id = $1 AND s.visitor_id = d.visitor_id AND s.last_visit_at >= d.decided_at + make_interval(mins => $5))
              OR EXISTS (SELECT 1 FROM visitors v JOIN portal_logins l ON l.org_id = v.org_id AND l.phone = v.phone
                          WHERE v.org_id = $1 AND v.id = d.visitor_id AND l.logged_in_at >= d.decided_at + make_interval(mins => $5)) AS returned
         FROM decided d
     )
     SELECT grp, count(*) AS visitors, count(*) FILTER (WHERE returned) AS returned FROM outcome GROUP BY grp`,
    [w.orgId, w.ruleId, w.from, w.to, gapMinutes],
  );
  return rows.map((r) => ({ group: r.grp, visitors: n(r.visitors), returned: n(r.returned) }));
}
