import type { Db } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { validate } from '../shared/validate.js';
import type { VenueService } from '../tenancy/index.js';
import { venueAnalyticsSettingsSchema, type VenueAnalyticsSettings } from './analytics.settings.js';
import { AnalyticsSettingsRepository } from './analytics-settings.repository.js';

/** Per-venue analytics settings (visitor threshold, visit timeout, dwell marks): the metrics and presence read the same values. */
export class AnalyticsSettingsService {
  private readonly repo: AnalyticsSettingsRepository;

  constructor(private readonly deps: { db: Db; clock: Clock; venues: VenueService }) {
    this.repo = new AnalyticsSettingsRepository(deps.db);
  }

  /**
   * The venue's settings, defaults where unset. Stored values are parsed with
   * the current schema, so a default added later applies to old rows too. A
   * venue of another organisation is not found (404).
   */
  async settingsFor(orgId: string, venueId: string): Promise<VenueAnalyticsSettings> {
    await this.deps.venues.get(orgId, venueId);
    return venueAnalyticsSettingsSchema.parse((await this.repo.get(orgId, venueId)) ?? {});
  }

  /** Replaces the venue's settings (fields left out take their defaults); 400 lists every bad field. */
  async put(orgId: string, venueId: string, input: unknown): Promise<VenueAnalyticsSettings> {
    await this.deps.venues.get(orgId, venueId);
    const settings = validate(venueAnalyticsSettingsSchema, input);
    await this.repo.put(orgId, venueId, settings, this.deps.clock.now());
    return settings;
  }
}
