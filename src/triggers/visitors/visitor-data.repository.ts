import type { Queryable } from '../../db/pool.js';
import { isId } from '../../shared/ids.js';

export interface VisitorRow {
  id: string;
  phone: string;
  createdAt: Date;
  lastVerifiedAt: Date;
}

export interface VisitStats {
  venueId: string;
  visits: number;
  firstVisitAt: Date;
  lastVisitAt: Date;
}

const VISITOR = 'SELECT id, phone, created_at AS "createdAt", last_verified_at AS "lastVerifiedAt" FROM visitors';

/** Read and erase everything held about one visitor of one organisation (every query takes the org). */
export class VisitorDataRepository {
  constructor(private readonly db: Queryable) {}

  async find(orgId: string, visitorId: string, options: { lock?: boolean } = {}): Promise<VisitorRow | undefined> {
    if (!isId(visitorId)) return undefined;
    const { rows } = await this.db.query<VisitorRow>(`${VISITOR} WHERE id = $1 AND org_id = $2${options.lock ? ' FOR UPDATE' : ''}`, [visitorId, orgId]);
    return rows[0];
  }

  async findByPhone(orgId: string, phone: string): Promise<VisitorRow | undefined> {
    const { rows } = await this.db.query<VisitorRow>(`${VISITOR} WHERE org_id = $1 AND phone = $2`, [orgId, phone]);
    return rows[0];
  }

  async visits(orgId: string, visitorId: string): Promise<VisitStats[]> {
    const { rows } = await this.db.query<VisitStats>(
      `SELECT venue_id AS "venueId", visits, first_visit_at AS "firstVisitAt", last_visit_at AS "lastVisitAt"
         FROM visitor_visit_stats WHERE org_id = $1 AND visitor_id = $2 ORDER BY last_visit_at DESC`,
      [orgId, visitorId],
    );
    return rows;
  }

  /** Device bindings: the keyed device hash only (the MAC was never stored). */
  async bindings(orgId: string, visitorId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT device_hash AS "deviceHash", randomised, bound_at AS "boundAt", verified_at AS "verifiedAt", last_login_at AS "lastLoginAt"
         FROM device_bindings WHERE org_id = $1 AND visitor_id = $2 ORDER BY bound_at`,
      [orgId, visitorId],
    );
    return rows;
  }

  /** The login log is kept by phone (it outlives the visitor on purpose). */
  async logins(orgId: string, phone: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT id, venue_id AS "venueId", gateway_id AS "gatewayId", method, device_hash AS "deviceHash", consents, logged_in_at AS "loggedInAt"
         FROM portal_logins WHERE org_id = $1 AND phone = $2 ORDER BY logged_in_at`,
      [orgId, phone],
    );
    return rows;
  }

  async decisions(orgId: string, visitorId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT id, rule_id AS "ruleId", rule_version AS "ruleVersion", event_id AS "eventId", event_type AS "eventType", venue_id AS "venueId",
              zone_id AS "zoneId", outcome, reason, trace, actions, occurred_at AS "occurredAt", decided_at AS "decidedAt"
         FROM trigger_decisions WHERE org_id = $1 AND visitor_id = $2 ORDER BY decided_at, id`,
      [orgId, visitorId],
    );
    return rows;
  }

  async deliveries(orgId: string, visitorId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT id, decision_id AS "decisionId", rule_id AS "ruleId", channel, endpoint_id AS "endpointId", status, reason, payload, attempts,
              attempt_log AS "attemptLog", provider_id AS "providerId", created_at AS "createdAt", delivered_at AS "deliveredAt"
         FROM trigger_deliveries WHERE org_id = $1 AND visitor_id = $2 ORDER BY created_at, id`,
      [orgId, visitorId],
    );
    return rows;
  }

  /**
   * Whether the visitor ever took SMS marketing back: a refusal after a grant,
   * or any refusal by STOP, opt-out link or portal preferences. (Declining the
   * optional box at first sign-up is not a withdrawal.)
   */
  async everWithdrewSms(orgId: string, visitorId: string): Promise<boolean> {
    const { rows } = await this.db.query<{ withdrew: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM consent_events w
          WHERE w.org_id = $1 AND w.visitor_id = $2 AND w.purpose = 'sms_marketing' AND NOT w.granted
            AND (w.method IN ('sms_stop', 'opt_out_link', 'portal_preferences')
                 OR EXISTS (SELECT 1 FROM consent_events g
                             WHERE g.org_id = w.org_id AND g.visitor_id = w.visitor_id AND g.purpose = 'sms_marketing'
                               AND g.granted AND g.recorded_at < w.recorded_at))
       ) AS withdrew`,
      [orgId, visitorId],
    );
    return rows[0]?.withdrew ?? false;
  }

  /** Messages already built for the visitor lose their content; the rows stay as pseudonymous evidence. */
  async scrubDeliveries(orgId: string, visitorId: string, at: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE trigger_deliveries SET payload = '{"erased":true}'::jsonb, updated_at = $3 WHERE org_id = $1 AND visitor_id = $2`,
      [orgId, visitorId, at],
    );
    return rowCount ?? 0;
  }

  /** Cascades to bindings, the consent ledger, attributes and visit statistics. */
  /** What real-time presence may hold about the visitor: their bound devices, at any of the organisation's venues. */
  async presenceRefs(orgId: string, visitorId: string): Promise<{ venueIds: string[]; deviceHashes: string[] }> {
    const [venues, devices] = await Promise.all([
      this.db.query<{ id: string }>('SELECT id FROM venues WHERE org_id = $1', [orgId]),
      this.db.query<{ hash: string }>('SELECT device_hash AS hash FROM device_bindings WHERE org_id = $1 AND visitor_id = $2', [orgId, visitorId]),
    ]);
    return { venueIds: venues.rows.map((r) => r.id), deviceHashes: devices.rows.map((r) => r.hash) };
  }

  async delete(orgId: string, visitorId: string): Promise<void> {
    await this.db.query('DELETE FROM visitors WHERE id = $1 AND org_id = $2', [visitorId, orgId]);
  }
}
