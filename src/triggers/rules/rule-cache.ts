import type { Rule, TriggerSettings } from './rule.schema.js';
import type { RulesVersionStore } from './rules-version.js';

export interface OrgRules {
  /** Enabled, not deleted. */
  rules: Rule[];
  settings: TriggerSettings;
}

interface Entry extends OrgRules {
  version: string | null;
}

/**
 * Each process keeps an organisation's enabled rules and settings in memory
 * and reloads them when the organisation's version token in Redis differs:
 * one GET per evaluation, a database read only after a change.
 */
export class RuleCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(
    private readonly versions: RulesVersionStore,
    private readonly load: (orgId: string) => Promise<OrgRules>,
  ) {}

  async forOrg(orgId: string): Promise<OrgRules> {
    const version = await this.versions.current(orgId);
    const cached = this.entries.get(orgId);
    if (cached && cached.version === version) return cached;
    return this.reload(orgId, version);
  }

  /** Concurrent misses for the same version share one load. */
  private reload(orgId: string, version: string | null): Promise<Entry> {
    const key = `${orgId}:${version ?? ''}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.load(orgId)
        .then((loaded) => {
          // Read the version before loading: a change during the load leaves the older token, so the next call reloads.
          const entry = { ...loaded, version };
          this.entries.set(orgId, entry);
          return entry;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }
}

/** Rules whose venue scope includes the venue (zones are checked per event by `inScope`). */
export const forVenue = (rules: Rule[], venueId: string): Rule[] =>
  rules.filter((r) => r.definition.scope.venueIds.length === 0 || r.definition.scope.venueIds.includes(venueId));
