import { z } from 'zod';
import type { Queryable } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { validate } from '../../shared/validate.js';
import { mergePatch } from './merge-patch.js';
import { DEFAULT_TRIGGER_SETTINGS, triggerSettingsSchema, type TriggerSettings } from './rule.schema.js';
import type { RulesVersionNotifier } from './rules-version.js';
import { TriggerSettingsRepository } from './trigger-settings.repository.js';

/** Organisation-wide trigger settings: stored values over the defaults. */
export class TriggerSettingsService {
  private readonly repo: TriggerSettingsRepository;

  constructor(private readonly deps: { db: Queryable; clock: Clock; versions?: RulesVersionNotifier | undefined }) {
    this.repo = new TriggerSettingsRepository(deps.db);
  }

  async get(orgId: string): Promise<TriggerSettings> {
    const stored = await this.repo.get(orgId);
    const parsed = triggerSettingsSchema.safeParse(stored ?? {});
    // A document written by an older release that no longer parses falls back to the defaults rather than stopping every rule.
    return parsed.success ? parsed.data : DEFAULT_TRIGGER_SETTINGS;
  }

  /** Partial update (merged, quiet hours key by key), validated as a whole. */
  async update(orgId: string, patch: unknown): Promise<TriggerSettings> {
    const body = validate(z.record(z.string(), z.unknown()), patch);
    const settings = validate(triggerSettingsSchema, mergePatch(await this.get(orgId), body));
    await this.repo.save(orgId, settings, this.deps.clock.now());
    await this.deps.versions?.bump(orgId);
    return settings;
  }
}
