import type { Queryable } from '../../db/pool.js';
import { VisitorRepository } from '../../portal/visitor.repository.js';
import type { PhoneHasher } from '../phone-hash.js';
import type { FiringHistory, VisitorFacts } from '../ports.js';

/**
 * What evaluation knows about a visitor and about a rule's past firings.
 * Read-only SQL: the engine calls it inside its per-visitor transaction (pass
 * the transaction client), the rule test endpoint outside any.
 */

export interface LoadedVisitor extends VisitorFacts {
  /** E.164; for templates with personal data. Never log it. */
  phone: string;
}

interface FactsRow {
  phone: string;
  loyaltyMember: boolean | null;
  attributes: Record<string, unknown> | null;
  visits: number | null;
  lastVisitAt: Date | null;
  previousVisitAt: Date | null;
  lastVisitKey: string | null;
}

/**
 * `visitKey`: the key under which the engine counts this event's visit in
 * visitor_visit_stats (last_visit_key). With it the facts describe the visit
 * in hand whether or not it was counted yet: not yet counted → visitCount is
 * visits + 1 and previousVisitAt the last counted visit; already counted →
 * visitCount is visits and previousVisitAt the visit counted before it.
 * Without it: the statistics as stored.
 */
export async function loadVisitorFacts(
  db: Queryable,
  params: { orgId: string; visitorId: string; venueId: string; visitKey?: string | undefined },
  hashPhone: PhoneHasher,
): Promise<LoadedVisitor | null> {
  const { rows } = await db.query<FactsRow>(
    `SELECT v.phone, a.loyalty_member AS "loyaltyMember", a.attributes, s.visits, s.last_visit_at AS "lastVisitAt", s.previous_visit_at AS "previousVisitAt", s.last_visit_key AS "lastVisitKey"
       FROM visitors v
       LEFT JOIN visitor_attributes a ON a.visitor_id = v.id AND a.org_id = v.org_id
       LEFT JOIN visitor_visit_stats s ON s.visitor_id = v.id AND s.org_id = v.org_id AND s.venue_id = $3
      WHERE v.org_id = $1 AND v.id = $2`,
    [params.orgId, params.visitorId, params.venueId],
  );
  const row = rows[0];
  if (!row) return null;
  const [consent, smsSuppressed] = await Promise.all([
    new VisitorRepository(db).consentState(params.orgId, params.visitorId),
    isSuppressed(db, params.orgId, hashPhone(row.phone)),
  ]);
  return {
    visitorId: params.visitorId,
    phone: row.phone,
    loyaltyMember: row.loyaltyMember ?? false,
    attributes: row.attributes ?? {},
    ...visitFacts(row, params.visitKey),
    consent,
    smsSuppressed,
  };
}

function visitFacts(row: FactsRow, visitKey: string | undefined): Pick<VisitorFacts, 'visitCount' | 'previousVisitAt'> {
  const visits = row.visits ?? 0;
  if (visitKey === undefined) return { visitCount: visits, previousVisitAt: row.lastVisitAt };
  if (row.lastVisitKey === visitKey) return { visitCount: visits, previousVisitAt: row.previousVisitAt };
  return { visitCount: visits + 1, previousVisitAt: row.lastVisitAt };
}

/** Suppressed for this organisation, or for everyone (a STOP to the shared number). */
export async function isSuppressed(db: Queryable, orgId: string, phoneHash: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM sms_suppressions WHERE phone_hash = $1 AND (org_id = $2 OR org_id IS NULL) LIMIT 1', [phoneHash, orgId]);
  return rows.length > 0;
}

/**
 * lastFiredAt: the latest 'fired' decision of this rule for this visitor.
 * firedToday: 'fired' decisions (at least one action sent or held) of ANY
 * rule for this visitor decided in [dayStart, dayEnd), counting only those
 * whose rule version counted towards the daily cap. The flag is read from the
 * version the decision names (trigger_rule_versions), so the decision row
 * needs no extra field: just rule_id, rule_version, visitor_id, outcome and
 * decided_at.
 */
export async function firingHistory(
  db: Queryable,
  params: { orgId: string; ruleId: string; visitorId: string; dayStart: Date; dayEnd: Date },
): Promise<FiringHistory> {
  const { rows } = await db.query<{ lastFiredAt: Date | null; firedToday: number }>(
    `SELECT
       (SELECT max(decided_at) FROM trigger_decisions
         WHERE org_id = $1 AND rule_id = $2 AND visitor_id = $3 AND outcome = 'fired') AS "lastFiredAt",
       (SELECT count(*)::int FROM trigger_decisions d
          JOIN trigger_rule_versions rv ON rv.rule_id = d.rule_id AND rv.version = d.rule_version AND rv.org_id = d.org_id
         WHERE d.org_id = $1 AND d.visitor_id = $3 AND d.outcome = 'fired' AND d.decided_at >= $4 AND d.decided_at < $5
           AND coalesce((rv.definition->>'countsTowardsDailyCap')::boolean, true)) AS "firedToday"`,
    [params.orgId, params.ruleId, params.visitorId, params.dayStart, params.dayEnd],
  );
  const row = rows[0];
  return { lastFiredAt: row?.lastFiredAt ?? null, firedToday: row?.firedToday ?? 0 };
}
