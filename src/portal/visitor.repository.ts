import type { Queryable } from '../db/pool.js';

export const CONSENT_PURPOSES = ['terms', 'sms_marketing', 'crm_sharing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export type ConsentMethod = 'portal_form' | 'sms_stop' | 'sms_start' | 'opt_out_link' | 'portal_preferences' | 'api' | 'admin';

export interface Visitor {
  id: string;
  orgId: string;
  phone: string;
}

export interface DeviceBinding {
  visitorId: string;
  phone: string;
  randomised: boolean;
  lastLoginAt: Date;
}

export interface ConsentEvent {
  purpose: ConsentPurpose;
  granted: boolean;
  textVersion: string;
  venueId: string | null;
  gatewayId: string | null;
  method: ConsentMethod;
  recordedAt: Date;
}

export type ConsentState = Record<ConsentPurpose, boolean>;

/** Visitors (verified phones), their device bindings and the consent ledger. */
export class VisitorRepository {
  constructor(private readonly db: Queryable) {}

  /** Creates the visitor on first verification; afterwards only moves last_verified_at. */
  async upsert(visitor: { id: string; orgId: string; phone: string }, verifiedAt: Date): Promise<Visitor> {
    const { rows } = await this.db.query<Visitor>(
      `INSERT INTO visitors (id, org_id, phone, last_verified_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, phone) DO UPDATE SET last_verified_at = EXCLUDED.last_verified_at
       RETURNING id, org_id AS "orgId", phone`,
      [visitor.id, visitor.orgId, visitor.phone, verifiedAt],
    );
    return rows[0] as Visitor;
  }

  async findByPhone(orgId: string, phone: string): Promise<Visitor | undefined> {
    const { rows } = await this.db.query<Visitor>('SELECT id, org_id AS "orgId", phone FROM visitors WHERE org_id = $1 AND phone = $2', [orgId, phone]);
    return rows[0];
  }

  async findBinding(orgId: string, deviceHash: string): Promise<DeviceBinding | undefined> {
    const { rows } = await this.db.query<DeviceBinding>(
      `SELECT b.visitor_id AS "visitorId", v.phone, b.randomised, b.last_login_at AS "lastLoginAt"
         FROM device_bindings b JOIN visitors v ON v.id = b.visitor_id
        WHERE b.org_id = $1 AND b.device_hash = $2`,
      [orgId, deviceHash],
    );
    return rows[0];
  }

  /** One device belongs to one visitor: binding it again moves it to the newly verified phone. */
  async bind(binding: { orgId: string; deviceHash: string; visitorId: string; randomised: boolean }, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO device_bindings (org_id, device_hash, visitor_id, randomised, verified_at, last_login_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       ON CONFLICT (org_id, device_hash) DO UPDATE
         SET visitor_id = EXCLUDED.visitor_id, randomised = EXCLUDED.randomised, verified_at = $5, last_login_at = $5`,
      [binding.orgId, binding.deviceHash, binding.visitorId, binding.randomised, at],
    );
  }

  async touchBinding(orgId: string, deviceHash: string, at: Date): Promise<void> {
    await this.db.query('UPDATE device_bindings SET last_login_at = $3 WHERE org_id = $1 AND device_hash = $2', [orgId, deviceHash, at]);
  }

  async unbind(orgId: string, deviceHash: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM device_bindings WHERE org_id = $1 AND device_hash = $2', [orgId, deviceHash]);
    return (rowCount ?? 0) > 0;
  }

  async countBindings(visitorId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM device_bindings WHERE visitor_id = $1', [visitorId]);
    return rows[0]?.n ?? 0;
  }

  async recordConsents(orgId: string, visitorId: string, events: (Omit<ConsentEvent, 'recordedAt'> & { id: string })[], at: Date): Promise<void> {
    for (const e of events) {
      await this.db.query(
        `INSERT INTO consent_events (id, org_id, visitor_id, purpose, granted, text_version, venue_id, gateway_id, method, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [e.id, orgId, visitorId, e.purpose, e.granted, e.textVersion, e.venueId, e.gatewayId, e.method, at],
      );
    }
  }

  /** Latest decision per purpose; a purpose never asked counts as not granted. */
  async consentState(orgId: string, visitorId: string): Promise<ConsentState> {
    const { rows } = await this.db.query<{ purpose: ConsentPurpose; granted: boolean }>(
      `SELECT DISTINCT ON (purpose) purpose, granted FROM consent_events
        WHERE org_id = $1 AND visitor_id = $2 ORDER BY purpose, recorded_at DESC, id`,
      [orgId, visitorId],
    );
    const state: ConsentState = { terms: false, sms_marketing: false, crm_sharing: false };
    for (const row of rows) state[row.purpose] = row.granted;
    return state;
  }

  async consentHistory(orgId: string, visitorId: string): Promise<ConsentEvent[]> {
    const { rows } = await this.db.query<ConsentEvent>(
      `SELECT purpose, granted, text_version AS "textVersion", venue_id AS "venueId", gateway_id AS "gatewayId", method, recorded_at AS "recordedAt"
         FROM consent_events WHERE org_id = $1 AND visitor_id = $2 ORDER BY recorded_at, id`,
      [orgId, visitorId],
    );
    return rows;
  }
}
