import { withTransaction, type Db, type Queryable } from '../../db/pool.js';
import type { Rule, RuleDefinition } from './rule.schema.js';

export interface RuleVersion {
  version: number;
  definition: RuleDefinition;
  savedAt: Date;
}

const RULE = `id, org_id AS "orgId", version, definition, created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * trigger_rules holds each rule's current version, trigger_rule_versions every
 * version ever saved (the decision log names a rule version). Every statement
 * is scoped by org_id; deleted rules are hidden but kept.
 */
export class RuleRepository {
  constructor(private readonly db: Db) {}

  async list(orgId: string, options: { enabledOnly?: boolean } = {}): Promise<Rule[]> {
    const { rows } = await this.db.query<Rule>(
      `SELECT ${RULE} FROM trigger_rules WHERE org_id = $1 AND deleted_at IS NULL ${options.enabledOnly ? 'AND enabled' : ''}
        ORDER BY created_at, id`,
      [orgId],
    );
    return rows;
  }

  async get(orgId: string, id: string): Promise<Rule | undefined> {
    const { rows } = await this.db.query<Rule>(`SELECT ${RULE} FROM trigger_rules WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL`, [orgId, id]);
    return rows[0];
  }

  insert(rule: { id: string; orgId: string; definition: RuleDefinition }, at: Date): Promise<Rule> {
    return withTransaction(this.db, async (client) => {
      const { rows } = await client.query<Rule>(
        `INSERT INTO trigger_rules (id, org_id, version, name, enabled, definition, created_at, updated_at)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $6) RETURNING ${RULE}`,
        [rule.id, rule.orgId, rule.definition.name, rule.definition.enabled, JSON.stringify(rule.definition), at],
      );
      await insertVersion(client, rule.orgId, rule.id, 1, rule.definition, at);
      return rows[0] as Rule;
    });
  }

  /** Saves a new version; undefined when the rule does not exist (or was deleted). */
  update(orgId: string, id: string, definition: RuleDefinition, at: Date): Promise<Rule | undefined> {
    return withTransaction(this.db, async (client) => {
      // version + 1 in the UPDATE itself: concurrent saves get distinct versions.
      const { rows } = await client.query<Rule>(
        `UPDATE trigger_rules SET version = version + 1, name = $3, enabled = $4, definition = $5, updated_at = $6
          WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING ${RULE}`,
        [orgId, id, definition.name, definition.enabled, JSON.stringify(definition), at],
      );
      const rule = rows[0];
      if (rule) await insertVersion(client, orgId, id, rule.version, definition, at);
      return rule;
    });
  }

  async softDelete(orgId: string, id: string, at: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE trigger_rules SET deleted_at = $3, enabled = false, updated_at = $3 WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL',
      [orgId, id, at],
    );
    return rowCount === 1;
  }

  async versions(orgId: string, id: string): Promise<RuleVersion[]> {
    const { rows } = await this.db.query<RuleVersion>(
      `SELECT version, definition, saved_at AS "savedAt" FROM trigger_rule_versions WHERE org_id = $1 AND rule_id = $2 ORDER BY version DESC`,
      [orgId, id],
    );
    return rows;
  }
}

async function insertVersion(db: Queryable, orgId: string, ruleId: string, version: number, definition: RuleDefinition, at: Date): Promise<void> {
  await db.query('INSERT INTO trigger_rule_versions (rule_id, org_id, version, definition, saved_at) VALUES ($1, $2, $3, $4, $5)', [
    ruleId,
    orgId,
    version,
    JSON.stringify(definition),
    at,
  ]);
}

/** Which of these ids name something of the organisation: venues, zones (with their venue), webhook endpoints. */
export class RuleReferenceRepository {
  constructor(private readonly db: Queryable) {}

  async venueIds(orgId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.db.query<{ id: string }>('SELECT id FROM venues WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, ids]);
    return new Set(rows.map((r) => r.id));
  }

  async zoneVenues(orgId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.query<{ id: string; venueId: string }>(
      'SELECT id, venue_id AS "venueId" FROM zones WHERE org_id = $1 AND id = ANY($2::uuid[])',
      [orgId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.venueId]));
  }

  async endpointIds(orgId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.db.query<{ id: string }>('SELECT id FROM webhook_endpoints WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, ids]);
    return new Set(rows.map((r) => r.id));
  }
}
