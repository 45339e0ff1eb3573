import type { Queryable } from '../../db/pool.js';
import type { LastVisit, VisitMark } from './visit-key.js';

/**
 * Visits per visitor and venue as the engine saw them (read by the audience
 * conditions). Callers hold the per-(org, visitor) lock: read, decide, write.
 */
export async function lastVisit(db: Queryable, orgId: string, visitorId: string, venueId: string): Promise<(LastVisit & { visits: number }) | undefined> {
  const { rows } = await db.query<LastVisit & { visits: number }>(
    `SELECT last_visit_key AS key, last_visit_at AS at, visits FROM visitor_visit_stats WHERE org_id = $1 AND visitor_id = $2 AND venue_id = $3`,
    [orgId, visitorId, venueId],
  );
  return rows[0];
}

/** Counts one visit; the visitor may have been erased meanwhile (then nothing is written). Returns the visits so far. */
export async function countVisit(db: Queryable, orgId: string, visitorId: string, venueId: string, mark: VisitMark): Promise<number | undefined> {
  const { rows } = await db.query<{ visits: number }>(
    `INSERT INTO visitor_visit_stats (visitor_id, org_id, venue_id, visits, first_visit_at, last_visit_at, last_visit_key)
     SELECT id, org_id, $3, 1, $4, $4, $5 FROM visitors WHERE id = $2 AND org_id = $1
     ON CONFLICT (visitor_id, venue_id) DO UPDATE
       SET visits = visitor_visit_stats.visits + 1, previous_visit_at = visitor_visit_stats.last_visit_at,
           last_visit_at = EXCLUDED.last_visit_at, last_visit_key = EXCLUDED.last_visit_key
     RETURNING visits`,
    [orgId, visitorId, venueId, mark.at, mark.key],
  );
  return rows[0]?.visits;
}
