import type { Queryable } from '../../db/pool.js';
import type { PhoneHasher } from '../phone-hash.js';

export type SuppressionReason = 'stop_reply' | 'carrier_unsubscribed' | 'admin' | 'opt_out_link';

export interface Suppression {
  /** null: every organisation (a STOP to the shared sender number). */
  orgId: string | null;
  reason: SuppressionReason;
  createdAt: Date;
}

/**
 * The SMS suppression list, keyed by the phone's HMAC (never the number), so
 * it outlives an erased visitor. An organisation's view is its own rows plus
 * the global ones.
 */
export class SuppressionRepository {
  constructor(
    private readonly db: Queryable,
    private readonly hashPhone: PhoneHasher,
  ) {}

  async isSuppressed(orgId: string, phone: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'SELECT 1 FROM sms_suppressions WHERE phone_hash = $1 AND (org_id = $2 OR org_id IS NULL) LIMIT 1',
      [this.hashPhone(phone), orgId],
    );
    return rows.length > 0;
  }

  /** What an organisation sees for a number: its own rows and the global ones. */
  async forOrg(orgId: string, phone: string): Promise<Suppression[]> {
    const { rows } = await this.db.query<Suppression>(
      `SELECT org_id AS "orgId", reason, created_at AS "createdAt" FROM sms_suppressions
        WHERE phone_hash = $1 AND (org_id = $2 OR org_id IS NULL) ORDER BY created_at`,
      [this.hashPhone(phone), orgId],
    );
    return rows;
  }

  /** Idempotent: the first reason and time stay. */
  async add(orgId: string | null, phone: string, reason: SuppressionReason, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO sms_suppressions (phone_hash, org_id, reason, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (phone_hash, coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid)) DO NOTHING`,
      [this.hashPhone(phone), orgId, reason, at],
    );
  }

  /** Removes exactly one scope's row (orgId null: the global one); true when there was one. */
  async remove(orgId: string | null, phone: string): Promise<boolean> {
    const result = await this.db.query('DELETE FROM sms_suppressions WHERE phone_hash = $1 AND org_id IS NOT DISTINCT FROM $2::uuid', [this.hashPhone(phone), orgId]);
    return (result.rowCount ?? 0) > 0;
  }
}
