import type { Queryable } from '../db/pool.js';

export interface Organisation {
  id: string;
  name: string;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  orgId: string;
  name: string;
  tokenHash: string;
  revokedAt: Date | null;
}

/** An API key as the owners' page lists it: the lookup identifies it, the secret part is never stored. */
export interface ApiKeyListing {
  id: string;
  name: string;
  lookup: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const API_KEY_LISTING = 'id, name, lookup, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"';

export class OrganisationRepository {
  constructor(private readonly db: Queryable) {}

  async insert(org: { id: string; name: string }): Promise<Organisation> {
    const { rows } = await this.db.query<Organisation>(
      'INSERT INTO organisations (id, name) VALUES ($1, $2) RETURNING id, name, created_at AS "createdAt"',
      [org.id, org.name],
    );
    return rows[0] as Organisation;
  }

  async get(id: string): Promise<Organisation | undefined> {
    const { rows } = await this.db.query<Organisation>('SELECT id, name, created_at AS "createdAt" FROM organisations WHERE id = $1', [id]);
    return rows[0];
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM organisations');
    return rows[0]?.n ?? 0;
  }

  async insertApiKey(key: { id: string; orgId: string; name: string; lookup: string; tokenHash: string }): Promise<void> {
    await this.db.query('INSERT INTO api_keys (id, org_id, name, lookup, token_hash) VALUES ($1, $2, $3, $4, $5)', [
      key.id,
      key.orgId,
      key.name,
      key.lookup,
      key.tokenHash,
    ]);
  }

  async findApiKey(lookup: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.db.query<ApiKeyRecord>(
      'SELECT id, org_id AS "orgId", name, token_hash AS "tokenHash", revoked_at AS "revokedAt" FROM api_keys WHERE lookup = $1',
      [lookup],
    );
    return rows[0];
  }

  async touchApiKey(id: string, at: Date): Promise<void> {
    // Only write when the minute changed: keeps a hot key from updating its row on every request.
    await this.db.query(
      "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')",
      [id, at],
    );
  }

  /** Active keys first, newest first. */
  async listApiKeys(orgId: string): Promise<ApiKeyListing[]> {
    const { rows } = await this.db.query<ApiKeyListing>(
      `SELECT ${API_KEY_LISTING} FROM api_keys WHERE org_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC, id`,
      [orgId],
    );
    return rows;
  }

  async getApiKey(orgId: string, id: string): Promise<ApiKeyListing | undefined> {
    const { rows } = await this.db.query<ApiKeyListing>(`SELECT ${API_KEY_LISTING} FROM api_keys WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0];
  }

  /** Keeps the first revocation time when revoked twice; false when the key is not this organisation's. */
  async revokeApiKey(orgId: string, id: string, at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE org_id = $1 AND id = $2', [orgId, id, at]);
    return rowCount === 1;
  }
}
