import type { Queryable } from '../../db/pool.js';

/** The latest attempt of an endpoint's latest delivery that was tried. */
export interface EndpointLastResult {
  endpointId: string;
  /** The delivery's status now (delivered, pending while retrying, failed). */
  status: string;
  at: Date;
  /** The attempt log entry: outcome, statusCode, error, durationMs. */
  attempt: { outcome?: string; statusCode?: number; error?: string; durationMs?: number } | null;
}

/** Read-only questions about webhook deliveries, scoped to the organisation (the engine owns the table). */
export class WebhookActivityRepository {
  constructor(private readonly db: Queryable) {}

  async lastResults(orgId: string): Promise<EndpointLastResult[]> {
    const { rows } = await this.db.query<EndpointLastResult>(
      `SELECT e.id AS "endpointId", d.status, d.at, d.attempt
         FROM webhook_endpoints e
         CROSS JOIN LATERAL (
           SELECT t.status, t.updated_at AS at, t.attempt_log -> -1 AS attempt FROM trigger_deliveries t
            WHERE t.org_id = e.org_id AND t.channel = 'webhook' AND t.endpoint_id = e.id AND t.attempts > 0
            ORDER BY t.created_at DESC LIMIT 1) d
        WHERE e.org_id = $1`,
      [orgId],
    );
    return rows;
  }

  /** Deliveries that ended failed since `since` (a delivery fails for good only after its last retry). */
  async failedSince(orgId: string, since: Date): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM trigger_deliveries WHERE org_id = $1 AND status = 'failed' AND channel = 'webhook' AND updated_at >= $2`,
      [orgId, since],
    );
    return rows[0]?.count ?? 0;
  }
}
