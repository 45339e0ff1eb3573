import type { Queryable } from '../../db/pool.js';
import type { TriggerSettings } from './rule.schema.js';

/** trigger_org_settings: one jsonb document per organisation (absent: defaults). */
export class TriggerSettingsRepository {
  constructor(private readonly db: Queryable) {}

  async get(orgId: string): Promise<unknown> {
    const { rows } = await this.db.query<{ settings: unknown }>('SELECT settings FROM trigger_org_settings WHERE org_id = $1', [orgId]);
    return rows[0]?.settings;
  }

  async save(orgId: string, settings: TriggerSettings, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO trigger_org_settings (org_id, settings, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at`,
      [orgId, JSON.stringify(settings), at],
    );
  }
}
