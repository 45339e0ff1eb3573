import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError } from 'bullmq';
import type { Clock } from '../../shared/clock.js';
import { isAppError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { VenueAnalyticsSettings } from '../analytics.settings.js';
import { presenceEventSchema, type PresenceEvent } from './presence-event.js';
import { DEFAULT_LATENESS_SECONDS, emptyPresenceState, type DeviceRef, type PresenceState, type TrackerSettings } from './presence-state.js';
import type { SightingsJob } from './presence.jobs.js';
import { memberOf, type LoadedState, type PendingEvent, type PresenceStore } from './presence.store.js';
import { nextDueAt, sweepPresence, trackSightings } from './tracker.js';
import { VenueSettingsCache } from './venue-settings.cache.js';
import type { PlacedSighting } from './visit.js';

export type SettingsLookup = (orgId: string, venueId: string) => Promise<VenueAnalyticsSettings>;
export type TimeZoneLookup = (orgId: string, venueId: string) => Promise<string>;

/** Where committed events go: the `presence-events` queue in production. */
export interface PresencePublisher {
  publish(events: PresenceEvent[]): Promise<void>;
}

export interface PresenceServiceDeps {
  store: PresenceStore;
  publisher: PresencePublisher;
  clock: Clock;
  settingsFor: SettingsLookup;
  /** The venue's IANA zone, for calendar days in `returned`; UTC when not given. Both lookups are cached for 30 s. */
  timeZoneFor?: TimeZoneLookup;
  /** Allowed lateness of sightings (see TrackerSettings); DEFAULT_LATENESS_SECONDS when not given. */
  latenessSeconds?: number;
}

export interface PresenceStats {
  commits: number;
  /** Compare-and-set lost to another worker and recomputed: proof the race happened and was resolved. */
  conflicts: number;
  published: number;
}

const MAX_COMMIT_ATTEMPTS = 50;
const DEVICES_IN_PARALLEL = 16;
const SWEEP_BATCH = 500;
const SWEEP_BUDGET_MS = 20_000;
/** A live worker acknowledges within milliseconds; events pending longer were left by one that died. */
const OUTBOX_STALE_SECONDS = 30;

type Step = (loaded: LoadedState) => { state: PresenceState; events: PresenceEvent[] } | null;

async function forEachLimit<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await run(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

function parsePending(pending: PendingEvent[], logger: Logger): PresenceEvent[] {
  const events: PresenceEvent[] = [];
  for (const { id, json } of pending) {
    let parsed: ReturnType<typeof presenceEventSchema.safeParse> | undefined;
    try {
      parsed = presenceEventSchema.safeParse(JSON.parse(json));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success) events.push(parsed.data);
    else logger.warn({ eventId: id }, 'dropped an unreadable pending presence event');
  }
  return events;
}

/**
 * Applies the pure tracker to per-device state in Redis. Each device update is
 * read -> compute -> compare-and-set (state, due index and events in one Lua
 * step), retried on conflict, so concurrent workers never lose or double an
 * update. Events are committed with the state into an outbox and acknowledged
 * only once on the queue: a crash in between re-publishes them (same ids), never
 * loses them.
 */
export class PresenceService {
  readonly stats: PresenceStats = { commits: 0, conflicts: 0, published: 0 };
  private readonly settings: VenueSettingsCache;

  constructor(private readonly deps: PresenceServiceDeps) {
    const latenessSeconds = deps.latenessSeconds ?? DEFAULT_LATENESS_SECONDS;
    this.settings = new VenueSettingsCache(async (orgId, venueId) => {
      const [settings, timeZone] = await Promise.all([deps.settingsFor(orgId, venueId), deps.timeZoneFor?.(orgId, venueId) ?? 'UTC']);
      return { ...settings, timeZone, latenessSeconds };
    });
  }

  private nowSeconds(): number {
    return this.deps.clock.now().getTime() / 1000;
  }

  async recordSightings(job: SightingsJob, logger: Logger): Promise<{ devices: number; events: number; ignored: number }> {
    let settings: TrackerSettings;
    try {
      settings = await this.settings.get(job.orgId, job.venueId);
    } catch (error) {
      // A venue deleted since ingest will never be found: retrying cannot help.
      if (isAppError(error) && error.code === 'NOT_FOUND') throw new UnrecoverableError(`venue ${job.venueId} not found`);
      throw error;
    }
    const byDevice = new Map<string, PlacedSighting[]>();
    for (const { deviceHash, visitorId, ts, rssi } of job.sightings) {
      const list = byDevice.get(deviceHash) ?? [];
      list.push({ ts, rssi, zoneId: job.zoneId, visitorId });
      byDevice.set(deviceHash, list);
    }
    const now = this.nowSeconds();
    let events = 0;
    let ignored = 0;
    await forEachLimit([...byDevice], DEVICES_IN_PARALLEL, async ([deviceHash, sightings]) => {
      const ref: DeviceRef = { orgId: job.orgId, venueId: job.venueId, deviceHash };
      const latest = sightings.reduce((a, b) => (b.ts >= a.ts ? b : a));
      let deviceIgnored = 0;
      events += await this.update(ref, latest.visitorId, settings, logger, (loaded) => {
        const base = loaded.state ?? emptyPresenceState(ref, latest.visitorId);
        const known = [base.lastVisitEndedAt, loaded.lastVisitEnd].filter((t) => t !== null);
        const state = { ...base, lastVisitEndedAt: known.length > 0 ? Math.max(...known) : null };
        const result = trackSightings(state, { ...ref, sightings }, settings, now);
        deviceIgnored = result.ignored;
        return result;
      });
      ignored += deviceIgnored;
    });
    return { devices: byDevice.size, events, ignored };
  }

  /** One device: read, compute, compare-and-set, publish the outbox; recomputed on the fresh state when another worker won. */
  private async update(ref: DeviceRef, visitorId: string | undefined, settings: TrackerSettings, logger: Logger, step: Step): Promise<number> {
    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt += 1) {
      const loaded = await this.deps.store.load(ref, visitorId);
      const result = step(loaded);
      if (!result) {
        await this.deps.store.forget(ref, loaded);
        return 0;
      }
      const pending = await this.deps.store.commit(ref, loaded, result.state, nextDueAt(result.state, settings), result.events, this.nowSeconds());
      if (pending === null) {
        this.stats.conflicts += 1;
        await sleep(Math.random() * Math.min(attempt, 10));
        continue;
      }
      this.stats.commits += 1;
      await this.publishPending(ref, pending, logger);
      return result.events.length;
    }
    throw new Error(`presence state of one device kept changing: gave up after ${MAX_COMMIT_ATTEMPTS} attempts`);
  }

  private async publishPending(ref: DeviceRef, pending: PendingEvent[], logger: Logger): Promise<void> {
    if (pending.length === 0) return;
    const events = parsePending(pending, logger);
    await this.deps.publisher.publish(events);
    this.stats.published += events.length;
    await this.deps.store.acknowledge(
      ref,
      pending.map((p) => p.id),
    );
  }

  /** Closes visits silent past their venue's timeout (plus the allowed lateness), then re-publishes events a dead worker left pending. */
  async sweep(logger: Logger): Promise<{ devices: number; events: number; flushed: number }> {
    const started = performance.now();
    const now = this.nowSeconds();
    const failures: string[] = [];
    const seen = new Set<string>();
    let devices = 0;
    let events = 0;
    for (;;) {
      const batch = await this.deps.store.due(now, SWEEP_BATCH);
      // A device is swept once per run, even if it is still due afterwards (it will be next run).
      const refs = batch.filter((ref) => !seen.has(memberOf(ref)));
      for (const ref of refs) seen.add(memberOf(ref));
      await forEachLimit(refs, DEVICES_IN_PARALLEL, async (ref) => {
        try {
          events += await this.sweepDevice(ref, now, logger);
        } catch (error) {
          failures.push((error as Error).message);
        }
      });
      devices += refs.length;
      if (batch.length < SWEEP_BATCH || refs.length === 0 || failures.length > 0 || performance.now() - started > SWEEP_BUDGET_MS) break;
    }
    const flushed = await this.flushStalled(logger);
    if (failures.length > 0) throw new Error(`presence sweep: ${failures.length} device(s) failed, first: ${failures[0] ?? ''}`);
    return { devices, events, flushed };
  }

  private async sweepDevice(ref: DeviceRef, now: number, logger: Logger): Promise<number> {
    let resolved: TrackerSettings;
    try {
      resolved = await this.settings.get(ref.orgId, ref.venueId);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'NOT_FOUND') throw error;
      await this.deps.store.forget(ref, await this.deps.store.load(ref, undefined));
      return 0;
    }
    return this.update(ref, undefined, resolved, logger, (loaded) => (loaded.state ? sweepPresence(loaded.state, resolved, now) : null));
  }

  private async flushStalled(logger: Logger): Promise<number> {
    const refs = await this.deps.store.stalledOutbox(this.nowSeconds() - OUTBOX_STALE_SECONDS, SWEEP_BATCH);
    let flushed = 0;
    for (const ref of refs) {
      const pending = await this.deps.store.pending(ref);
      if (pending.length === 0) await this.deps.store.acknowledge(ref, []);
      else await this.publishPending(ref, pending, logger);
      flushed += pending.length;
    }
    if (flushed > 0) logger.warn({ flushed }, 're-published presence events a worker left unacknowledged');
    return flushed;
  }
}
