import type { Queryable } from '../../db/pool.js';
import { isId } from '../../shared/ids.js';

/** SQL the SMS part needs beyond the consent ledger: visitors by phone across organisations, delivery status. */
export class SmsRepository {
  constructor(private readonly db: Queryable) {}

  /** Every organisation's visitor with this number: a STOP to the shared sender covers them all. */
  async visitorsWithPhone(phone: string): Promise<{ id: string; orgId: string }[]> {
    const { rows } = await this.db.query<{ id: string; orgId: string }>('SELECT id, org_id AS "orgId" FROM visitors WHERE phone = $1 ORDER BY org_id', [phone]);
    return rows;
  }

  async visitor(orgId: string, visitorId: string): Promise<{ id: string; phone: string } | undefined> {
    if (!isId(orgId) || !isId(visitorId)) return undefined;
    const { rows } = await this.db.query<{ id: string; phone: string }>('SELECT id, phone FROM visitors WHERE id = $1 AND org_id = $2', [visitorId, orgId]);
    return rows[0];
  }

  async orgName(orgId: string): Promise<string | undefined> {
    if (!isId(orgId)) return undefined;
    const { rows } = await this.db.query<{ name: string }>('SELECT name FROM organisations WHERE id = $1', [orgId]);
    return rows[0]?.name;
  }

  /** The visitor bound to a device (portal preferences), whatever the recognition window says. */
  async visitorOnDevice(orgId: string, deviceHash: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ visitorId: string }>(
      'SELECT visitor_id AS "visitorId" FROM device_bindings WHERE org_id = $1 AND device_hash = $2',
      [orgId, deviceHash],
    );
    return rows[0]?.visitorId;
  }

  /** Twilio's final word on a message; suppressed rows (never sent) are left alone. Returns the rows touched. */
  async markDelivery(providerId: string, update: { status: 'delivered' | 'failed'; reason: string | null }, at: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE trigger_deliveries
          SET status = $2, reason = $3, updated_at = $4,
              delivered_at = CASE WHEN $2 = 'delivered' THEN $4 ELSE delivered_at END
        WHERE provider_id = $1 AND channel = 'sms' AND status <> 'suppressed'`,
      [providerId, update.status, update.reason, at],
    );
    return rowCount ?? 0;
  }
}
