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
}
