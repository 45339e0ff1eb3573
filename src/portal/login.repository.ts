import type { Queryable } from '../db/pool.js';

export type LoginMethod = 'sms_code' | 'returning_device';

export interface PortalLogin {
  id: string;
  phone: string;
  deviceHash: string;
  venueId: string;
  gatewayId: string;
  method: LoginMethod;
  consents: Record<string, unknown>;
  loggedInAt: Date;
}

const COLUMNS = `id, phone, device_hash AS "deviceHash", venue_id AS "venueId", gateway_id AS "gatewayId", method, consents, logged_in_at AS "loggedInAt"`;

/** The identification log of portal sign-ins, kept for each organisation's retention period. */
export class LoginRepository {
  constructor(private readonly db: Queryable) {}

  async insert(orgId: string, login: PortalLogin): Promise<void> {
    await this.db.query(
      `INSERT INTO portal_logins (id, org_id, phone, device_hash, venue_id, gateway_id, method, consents, logged_in_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [login.id, orgId, login.phone, login.deviceHash, login.venueId, login.gatewayId, login.method, JSON.stringify(login.consents), login.loggedInAt],
    );
  }

  async listByPhone(orgId: string, phone: string): Promise<PortalLogin[]> {
    const { rows } = await this.db.query<PortalLogin>(`SELECT ${COLUMNS} FROM portal_logins WHERE org_id = $1 AND phone = $2 ORDER BY logged_in_at, id`, [
      orgId,
      phone,
    ]);
    return rows;
  }

  /** Deletes records older than each organisation's retention (default when it set none). */
  async purgeExpired(now: Date, defaultDays: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM portal_logins l
        USING organisations o LEFT JOIN portal_org_settings s ON s.org_id = o.id
        WHERE l.org_id = o.id
          AND l.logged_in_at < $1::timestamptz - make_interval(days => COALESCE((s.settings->>'loginRetentionDays')::int, $2))`,
      [now, defaultDays],
    );
    return rowCount ?? 0;
  }
}
