import type { Queryable } from '../db/pool.js';

/** Raw settings rows; the service validates them against the current schema on read. */
export class PortalSettingsRepository {
  constructor(private readonly db: Queryable) {}

  async getOrg(orgId: string): Promise<{ settings: unknown; crmSecret: string | null } | undefined> {
    const { rows } = await this.db.query<{ settings: unknown; crmSecret: string | null }>(
      'SELECT settings, crm_secret AS "crmSecret" FROM portal_org_settings WHERE org_id = $1',
      [orgId],
    );
    return rows[0];
  }

  /** `crmSecret` undefined keeps the stored one; null removes it. */
  async putOrg(orgId: string, settings: unknown, crmSecret: string | null | undefined, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO portal_org_settings (org_id, settings, crm_secret, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at,
         crm_secret = CASE WHEN $5 THEN EXCLUDED.crm_secret ELSE portal_org_settings.crm_secret END`,
      [orgId, JSON.stringify(settings), crmSecret ?? null, at, crmSecret !== undefined],
    );
  }

  async getVenue(orgId: string, venueId: string): Promise<unknown> {
    const { rows } = await this.db.query<{ settings: unknown }>('SELECT settings FROM portal_venue_settings WHERE org_id = $1 AND venue_id = $2', [
      orgId,
      venueId,
    ]);
    return rows[0]?.settings;
  }

  async putVenue(orgId: string, venueId: string, settings: unknown, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO portal_venue_settings (venue_id, org_id, settings, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (venue_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at`,
      [venueId, orgId, JSON.stringify(settings), at],
    );
  }
}
