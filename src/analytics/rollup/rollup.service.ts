import { withTransaction, type Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import type { VenueAnalyticsSettings } from '../analytics.settings.js';
import { SessionRepository, type StoredSession } from '../metrics/session.repository.js';
import { analyzeObservations } from '../pipeline/batch.js';
import type { Observation } from '../pipeline/observation.js';
import { LIVE_OPTIONS, type PipelineOptionsInput } from '../pipeline/options.js';
import type { VisitRecord } from '../pipeline/visits.js';
import { ProbeReader, type VenueSensor } from './probe-reader.js';
import { planWindow } from './window.js';

export interface RollupDeps {
  db: Db;
  clock: Clock;
  settingsFor(orgId: string, venueId: string): Promise<VenueAnalyticsSettings>;
}

export interface RollupResult {
  venueId: string;
  from: number;
  to: number;
  probes: number;
  sessions: number;
  caughtUp: boolean;
}

/** Steps per venue and run: enough to catch up on a week of imported probes, bounded so one venue cannot hold a worker forever. */
const MAX_STEPS_PER_RUN = 40;

/** Pipeline options for a venue: its own presence classification, the method's defaults otherwise. */
export function pipelineOptionsFor(settings: VenueAnalyticsSettings): PipelineOptionsInput {
  // Causal static-device detection: a window's sessions must not change when later probes arrive.
  return {
    ...LIVE_OPTIONS,
    counting: {
      visitorRssi: settings.visitorRssi,
      visitorMinSeconds: settings.visitorMinDwellSeconds,
      sessionTimeoutSeconds: settings.sessionTimeoutSeconds,
      minVisitSeconds: settings.minVisitSeconds,
    },
  };
}

/**
 * Turns stored probes into sessions, venue by venue: re-runs the pipeline
 * over the stretch where sessions may still change (from the start of the
 * oldest session still open) and replaces those sessions in one transaction,
 * so a crash or a second worker never leaves half a window or duplicates.
 */
export class RollupService {
  private readonly probes: ProbeReader;
  private readonly sessions: SessionRepository;

  constructor(private readonly deps: RollupDeps) {
    this.probes = new ProbeReader(deps.db);
    this.sessions = new SessionRepository(deps.db);
  }

  async rollupAll(): Promise<RollupResult[]> {
    const results: RollupResult[] = [];
    const failed: unknown[] = [];
    for (const { orgId, venueId } of await this.probes.venuesWithSensors()) {
      try {
        for (let step = 0; step < MAX_STEPS_PER_RUN; step++) {
          const result = await this.rollupVenue(orgId, venueId);
          if (result) results.push(result);
          if (!result || result.caughtUp) break;
        }
      } catch (error) {
        // One venue's failure must not hold back the others; the job fails (and retries) after them.
        failed.push(error);
      }
    }
    if (failed.length > 0) throw new AggregateError(failed, `rollup failed for ${failed.length} venue(s); the others were rolled up`);
    return results;
  }

  async rollupVenue(orgId: string, venueId: string): Promise<RollupResult | undefined> {
    const sensors = await this.probes.sensorsOf(venueId);
    if (sensors.length === 0) return undefined;
    const settings = await this.deps.settingsFor(orgId, venueId);
    const now = this.deps.clock.now().getTime() / 1000;
    const marked = await this.sessions.doneUntil(venueId);
    const doneUntil = marked ?? (await this.probes.earliestProbe(sensors.map((s) => s.id)));
    if (doneUntil === undefined) return undefined;
    const window = planWindow({ now, doneUntil, openSince: await this.sessions.openSince(venueId, doneUntil - settings.sessionTimeoutSeconds), settings });
    if (window === undefined) return undefined;
    const { observations, knownKeys } = await this.probes.read(sensors.map((s) => s.id), window.readFrom, window.to);
    const options = pipelineOptionsFor(settings);
    const stored = [
      ...toSessions(analyzeObservations(observations, options).visits, null, knownKeys),
      ...zonesOf(sensors).flatMap(([zoneId, ids]) => toSessions(analyzeObservations(onlySensors(observations, ids), options).visits, zoneId, knownKeys)),
    ]
      .filter((s) => s.start >= window.from)
      .map((s) => ({ ...s, orgId, venueId }));
    await withTransaction(this.deps.db, (client) => new SessionRepository(client).replaceWindow(orgId, venueId, { ...window, doneUntil: marked }, stored));
    return { venueId, from: window.from, to: window.to, probes: observations.length, sessions: stored.length, caughtUp: window.caughtUp };
  }
}

function zonesOf(sensors: readonly VenueSensor[]): [string, Set<string>][] {
  const zones = new Map<string, Set<string>>();
  for (const sensor of sensors) {
    if (sensor.zoneId === null) continue;
    const set = zones.get(sensor.zoneId) ?? new Set<string>();
    set.add(sensor.id);
    zones.set(sensor.zoneId, set);
  }
  return [...zones];
}

const onlySensors = (observations: readonly Observation[], ids: ReadonlySet<string>): Observation[] => observations.filter((o) => ids.has(o.sensor));

function toSessions(visits: readonly VisitRecord[], zoneId: string | null, knownKeys: ReadonlySet<string>): Omit<StoredSession, 'orgId' | 'venueId'>[] {
  return visits.map((visit) => ({
    device: visit.device,
    zoneId,
    start: visit.start,
    end: visit.end,
    strongSeconds: visit.strongSeconds,
    probes: visit.probes,
    maxRssi: visit.maxRssi,
    kind: visit.kind,
    known: knownKeys.has(visit.device),
  }));
}
