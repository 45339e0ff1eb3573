import type { Queryable } from '../../db/pool.js';

export interface WebhookEndpoint {
  id: string;
  orgId: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Secrets valid now (two while a rotation overlaps). */
  secretCount: number;
}

/** An endpoint with its sealed active secrets, newest first. */
export type EndpointWithSecrets = WebhookEndpoint & { sealedSecrets: string[] };

export interface EndpointChanges {
  url?: string;
  description?: string;
  eventTypes?: string[];
  enabled?: boolean;
}

const ACTIVE = '(s.expires_at IS NULL OR s.expires_at > $NOW)';

const columns = (now: string) => `e.id, e.org_id AS "orgId", e.url, e.description, e.event_types AS "eventTypes", e.enabled,
  e.disabled_reason AS "disabledReason", e.disabled_at AS "disabledAt", e.failing_since AS "failingSince",
  e.created_at AS "createdAt", e.updated_at AS "updatedAt",
  (SELECT count(*)::int FROM webhook_endpoint_secrets s WHERE s.endpoint_id = e.id AND ${ACTIVE.replace('$NOW', now)}) AS "secretCount",
  ARRAY(SELECT s.sealed_secret FROM webhook_endpoint_secrets s WHERE s.endpoint_id = e.id AND ${ACTIVE.replace('$NOW', now)}
        ORDER BY s.expires_at IS NULL DESC, s.created_at DESC, s.id) AS "sealedSecrets"`;

/** SQL for webhook_endpoints and their sealed secrets. Every query is scoped to the organisation. */
export class EndpointRepository {
  constructor(private readonly db: Queryable) {}

  async insert(endpoint: { id: string; orgId: string; url: string; description: string; eventTypes: string[] }, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_endpoints (id, org_id, url, description, event_types, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`,
      [endpoint.id, endpoint.orgId, endpoint.url, endpoint.description, endpoint.eventTypes, at],
    );
  }

  async addSecret(secret: { id: string; orgId: string; endpointId: string; sealed: string }, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_endpoint_secrets (id, endpoint_id, org_id, sealed_secret, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [secret.id, secret.endpointId, secret.orgId, secret.sealed, at],
    );
  }

  async list(orgId: string, now: Date): Promise<EndpointWithSecrets[]> {
    const { rows } = await this.db.query<EndpointWithSecrets>(`SELECT ${columns('$2')} FROM webhook_endpoints e WHERE e.org_id = $1 ORDER BY e.created_at, e.id`, [orgId, now]);
    return rows;
  }

  async find(orgId: string, id: string, now: Date): Promise<EndpointWithSecrets | undefined> {
    const { rows } = await this.db.query<EndpointWithSecrets>(`SELECT ${columns('$3')} FROM webhook_endpoints e WHERE e.org_id = $1 AND e.id = $2`, [orgId, id, now]);
    return rows[0];
  }

  /** Enabled endpoints: the given ids, or (none given) every one subscribed to the event type (no types: all). */
  async enabledFor(orgId: string, ids: string[], eventType: string, now: Date): Promise<EndpointWithSecrets[]> {
    const { rows } = await this.db.query<EndpointWithSecrets>(
      `SELECT ${columns('$4')} FROM webhook_endpoints e
        WHERE e.org_id = $1 AND e.enabled
          AND (CASE WHEN cardinality($2::uuid[]) > 0 THEN e.id = ANY($2::uuid[])
                    ELSE cardinality(e.event_types) = 0 OR $3 = ANY(e.event_types) OR 'trigger.fired' = ANY(e.event_types) END)
        ORDER BY e.created_at, e.id`,
      [orgId, ids, eventType, now],
    );
    return rows;
  }

  /** Applies a patch; re-enabling clears the disabled state and the failing run, disabling by hand records why. */
  async update(orgId: string, id: string, changes: EndpointChanges, at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE webhook_endpoints SET
         url = coalesce($3, url), description = coalesce($4, description), event_types = coalesce($5, event_types),
         enabled = coalesce($6, enabled),
         disabled_reason = CASE WHEN $6 IS TRUE THEN NULL WHEN $6 IS FALSE AND enabled THEN 'manual' ELSE disabled_reason END,
         disabled_at = CASE WHEN $6 IS TRUE THEN NULL WHEN $6 IS FALSE AND enabled THEN $7 ELSE disabled_at END,
         failing_since = CASE WHEN $6 IS TRUE THEN NULL ELSE failing_since END,
         updated_at = $7
       WHERE org_id = $1 AND id = $2`,
      [orgId, id, changes.url ?? null, changes.description ?? null, changes.eventTypes ?? null, changes.enabled ?? null, at],
    );
    return rowCount === 1;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM webhook_endpoints WHERE org_id = $1 AND id = $2', [orgId, id]);
    return rowCount === 1;
  }

  /** Gives every secret still valid an expiry no later than `expiresAt`, and drops the ones already expired. */
  async expireSecrets(orgId: string, endpointId: string, expiresAt: Date, now: Date): Promise<void> {
    await this.db.query(
      `UPDATE webhook_endpoint_secrets SET expires_at = LEAST(coalesce(expires_at, $3), $3)
        WHERE org_id = $1 AND endpoint_id = $2 AND (expires_at IS NULL OR expires_at > $4)`,
      [orgId, endpointId, expiresAt, now],
    );
    await this.db.query('DELETE FROM webhook_endpoint_secrets WHERE org_id = $1 AND endpoint_id = $2 AND expires_at <= $3', [orgId, endpointId, now]);
  }

  async clearFailing(orgId: string, id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE webhook_endpoints SET failing_since = NULL, updated_at = $3 WHERE org_id = $1 AND id = $2 AND failing_since IS NOT NULL', [orgId, id, at]);
  }

  /** Starts the failing run if none is under way; answers its start (undefined: no such endpoint). */
  async markFailing(orgId: string, id: string, at: Date): Promise<{ failingSince: Date; enabled: boolean } | undefined> {
    const { rows } = await this.db.query<{ failingSince: Date; enabled: boolean }>(
      `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $3), updated_at = CASE WHEN failing_since IS NULL THEN $3 ELSE updated_at END
        WHERE org_id = $1 AND id = $2 RETURNING failing_since AS "failingSince", enabled`,
      [orgId, id, at],
    );
    return rows[0];
  }

  /** Disables an enabled endpoint; false when it already was (so the notice is logged once). */
  async disable(orgId: string, id: string, reason: 'gone' | 'failing', at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $3, disabled_at = $4, updated_at = $4 WHERE org_id = $1 AND id = $2 AND enabled`,
      [orgId, id, reason, at],
    );
    return rowCount === 1;
  }
}
