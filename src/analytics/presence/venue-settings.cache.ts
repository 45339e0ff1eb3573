import type { TrackerSettings } from './presence-state.js';

/**
 * Venue settings for the tracker, kept briefly: every sightings job and sweep
 * needs them, and they change rarely. A change applies within `ttlMs`; a
 * failed lookup is not kept.
 */
export class VenueSettingsCache {
  private readonly entries = new Map<string, { until: number; settings: Promise<TrackerSettings> }>();

  constructor(
    private readonly lookup: (orgId: string, venueId: string) => Promise<TrackerSettings>,
    private readonly ttlMs = 30_000,
  ) {}

  get(orgId: string, venueId: string): Promise<TrackerSettings> {
    const key = `${orgId}:${venueId}`;
    const now = performance.now();
    const cached = this.entries.get(key);
    if (cached && cached.until > now) return cached.settings;
    const settings = this.lookup(orgId, venueId);
    this.entries.set(key, { until: now + this.ttlMs, settings });
    settings.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) this.evictExpired(now);
    return settings;
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}
