import type { Queryable } from '../db/pool.js';

/** Raw per-venue analytics settings rows; the service validates them against the current schema on read. */
export class AnalyticsSettingsRepository {
  constructor(private readonly db: Queryable) {}

  async get(orgId: string, venueId: string): Promise<unknown> {
    const { rows } = await this.db.query<{ settings: unknown }>('SELECT settings FROM analytics_venue_settings WHERE org_id = $1 AND venue_id = $2', [
      orgId,
      venueId,
    ]);
    return rows[0]?.settings;
  }

  async put(orgId: string, venueId: string, settings: unknown, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO analytics_venue_settings (venue_id, org_id, settings, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (venue_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at`,
      [venueId, orgId, JSON.stringify(settings), at],
    );
  }
}
