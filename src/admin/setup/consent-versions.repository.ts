import type { Queryable } from '../../db/pool.js';

export interface ConsentVersionUse {
  version: string;
  /** Consent decisions (grants and withdrawals, every purpose) recorded under this text version. */
  records: number;
  firstRecordedAt: Date;
  lastRecordedAt: Date;
}

/** Which consent text versions an organisation's consent ledger holds: the settings page's "in use" table. */
export class ConsentVersionsRepository {
  constructor(private readonly db: Queryable) {}

  /** Most recently used first. */
  async inUse(orgId: string): Promise<ConsentVersionUse[]> {
    const { rows } = await this.db.query<ConsentVersionUse>(
      `SELECT text_version AS version, count(*)::int AS records,
              min(recorded_at) AS "firstRecordedAt", max(recorded_at) AS "lastRecordedAt"
         FROM consent_events WHERE org_id = $1
        GROUP BY text_version
        ORDER BY max(recorded_at) DESC, text_version`,
      [orgId],
    );
    return rows;
  }
}
