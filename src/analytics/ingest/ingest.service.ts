import type { KeyObject } from 'node:crypto';
import type { AnalyticsConfig } from '../../config.js';
import { withTransaction, type Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { createDeviceHasher, isRandomisedMac, type DeviceHasher } from '../../shared/device-hash.js';
import { AppError } from '../../shared/errors.js';
import type { Probe } from '../probes/probe.js';
import type { KnownSighting, PresenceSink } from '../presence/sighting.js';
import type { Sensor } from '../sensor.repository.js';
import { checkRecords, type IngestRecord } from './batch-check.js';
import { deviceKeyOf, fpGroupOf, knownDeviceKey } from './device-key.js';
import { IngestRepository, type RecordProblem, type StoredBatch } from './ingest.repository.js';
import { ProbePartitions, utcDay } from './probe-partitions.js';
import { ProbeRows } from './probe-rows.js';
import { SaltStore } from './salt.store.js';

export interface IngestBatch {
  /** The sender's batch id (Idempotency-Key): a retry with the same id and content is stored once. */
  id: string;
  /** SHA-256 of the batch content, to tell a retry from a reused id. */
  digest: Buffer;
  records: Iterable<IngestRecord>;
}

export interface IngestOutcome {
  batch: string;
  accepted: number;
  rejected: number;
  /** The first MAX_ERRORS problems; `errorsOmitted` says how many more there were. */
  errors: RecordProblem[];
  errorsOmitted: number;
  /** True when this batch had been received before: nothing was stored this time. */
  duplicate: boolean;
}

export type IngestSensor = Pick<Sensor, 'id' | 'orgId' | 'venueId' | 'zoneId' | 'name'>;

export interface IngestDeps {
  db: Db;
  clock: Clock;
  /** Root secret: the organisation device HMAC that recognises devices bound through the portal. */
  secretKey: string;
  /** Receives the known devices' sightings of every batch (a retried batch again: the sink dedupes by batchKey). */
  presence: PresenceSink;
  analytics: AnalyticsConfig;
}

export const MAX_ERRORS = 100;

interface PreparedBatch {
  rows: ProbeRows;
  sightings: KnownSighting[];
  days: Set<number>;
}

const isNoPartition = (error: unknown): boolean => error instanceof Error && 'code' in error && error.code === '23514' && error.message.includes('no partition');

/**
 * Stores probe batches from sensors (HTTP) and files (`passby import`): checks
 * each record, replaces the MAC by a salted per-period key, marks devices bound
 * to portal visitors as known, and writes the rows and the batch outcome in one
 * transaction, so a retried batch is stored exactly once.
 */
export class IngestService {
  readonly salts: SaltStore;
  readonly partitions: ProbePartitions;
  private readonly deviceHash: DeviceHasher;

  constructor(private readonly deps: IngestDeps) {
    this.salts = new SaltStore({ db: deps.db, clock: deps.clock, rotationHours: deps.analytics.saltRotationHours, graceMinutes: deps.analytics.saltGraceMinutes });
    this.partitions = new ProbePartitions(deps.db);
    this.deviceHash = createDeviceHasher(deps.secretKey);
  }

  async ingest(sensor: IngestSensor, batch: IngestBatch): Promise<IngestOutcome> {
    const now = this.deps.clock.now();
    const { probes, problems } = checkRecords(batch.records, {
      nowMs: now.getTime(),
      retentionDays: this.deps.analytics.probeRetentionDays,
      maxSkewSeconds: this.deps.analytics.maxClockSkewSeconds,
      sensor,
    });
    const prepared = await this.prepare(sensor.orgId, probes);
    const stored: StoredBatch = {
      sensorId: sensor.id,
      batchId: batch.id,
      orgId: sensor.orgId,
      digest: batch.digest,
      accepted: probes.length,
      rejected: problems.length,
      errors: problems.slice(0, MAX_ERRORS),
      receivedAt: now,
    };
    const fresh = await this.store(sensor, stored, prepared);
    const outcome = fresh ? stored : await this.previousOutcome(stored);
    await new IngestRepository(this.deps.db).touchSensor(sensor.id, now);
    await this.handOff(sensor, batch.id, prepared.sightings);
    return {
      batch: batch.id,
      accepted: outcome.accepted,
      rejected: outcome.rejected,
      errors: outcome.errors,
      errorsOmitted: outcome.rejected - outcome.errors.length,
      duplicate: !fresh,
    };
  }

  /** Keys, groups and known-device marks for the accepted probes: one HMAC of each kind per distinct MAC. */
  private async prepare(orgId: string, probes: Probe[]): Promise<PreparedBatch> {
    const periods = new Set<number>();
    const days = new Set<number>();
    const macs = new Map<string, { orgHash: string; randomised: boolean }>();
    for (const probe of probes) {
      periods.add(this.salts.periodOf(probe.ts * 1000).start);
      days.add(utcDay(probe.ts * 1000));
      if (!macs.has(probe.mac)) macs.set(probe.mac, { orgHash: this.deviceHash(orgId, probe.mac), randomised: isRandomisedMac(probe.mac) });
    }
    const [salts, visitors] = await Promise.all([
      this.salts.keysFor(orgId, periods),
      new IngestRepository(this.deps.db).boundVisitors(orgId, [...macs.values()].map((m) => m.orgHash)),
      this.partitions.ensure(days),
    ]);
    const keys = new Map<string, Buffer>();
    const groups = new Map<string, Buffer>();
    const rows = new ProbeRows();
    const sightings: KnownSighting[] = [];
    for (const probe of probes) {
      const ms = probe.ts * 1000;
      const period = this.salts.periodOf(ms).start;
      const mac = macs.get(probe.mac) as { orgHash: string; randomised: boolean };
      const visitorId = visitors.get(mac.orgHash);
      const keyId = periods.size === 1 ? probe.mac : `${period}/${probe.mac}`;
      let deviceKey = keys.get(keyId);
      // A portal visitor's device keeps a stable key (from the organisation HMAC its binding already holds),
      // so repeat visits count; everyone else's key changes with the salt.
      if (!deviceKey) keys.set(keyId, (deviceKey = visitorId !== undefined ? knownDeviceKey(mac.orgHash) : deviceKeyOf(salts.get(period) as KeyObject, probe.mac)));
      let fpGroup: Buffer | undefined;
      if (probe.fp !== undefined && probe.fp !== '') {
        fpGroup = groups.get(probe.fp);
        if (!fpGroup) groups.set(probe.fp, (fpGroup = fpGroupOf(probe.fp)));
      }
      if (visitorId !== undefined) sightings.push({ deviceHash: mac.orgHash, visitorId, ts: probe.ts, rssi: probe.rssi });
      rows.add({ ts: probe.ts, rssi: Math.round(probe.rssi), seq: probe.seq, channel: probe.channel, randomised: mac.randomised, known: visitorId !== undefined, deviceKey, fpGroup });
    }
    return { rows, sightings, days };
  }

  /** True when this call stored the batch; false when its id was already taken (a retry or a reuse). */
  private async store(sensor: IngestSensor, batch: StoredBatch, prepared: PreparedBatch): Promise<boolean> {
    const attempt = () =>
      withTransaction(this.deps.db, async (client) => {
        const repo = new IngestRepository(client);
        // First: a concurrent copy of this batch waits here for ours to commit, then finds the id taken.
        if (!(await repo.claimBatch(batch))) return false;
        await repo.insertProbes(sensor.orgId, sensor.id, prepared.rows);
        if (prepared.rows.length > 0) await repo.rewindRollup(sensor.venueId, prepared.rows.earliest);
        return true;
      });
    try {
      return await attempt();
    } catch (error) {
      if (!isNoPartition(error)) throw error;
      // The maintenance job dropped a day we remembered: create it again and retry once.
      this.partitions.forget();
      await this.partitions.ensure(prepared.days);
      return attempt();
    }
  }

  private async previousOutcome(batch: StoredBatch): Promise<StoredBatch> {
    const previous = await new IngestRepository(this.deps.db).findBatch(batch.sensorId, batch.batchId);
    if (!previous) throw new Error('ingest batch claimed by another request but not found');
    if (!previous.digest.equals(batch.digest)) {
      throw new AppError(
        'INGEST_BATCH_REUSED',
        `Batch id "${batch.batchId}" was already used by this sensor for different probes (received ${previous.receivedAt.toISOString()}); send new probes under a new Idempotency-Key`,
        { batch: batch.batchId },
      );
    }
    return previous;
  }

  private async handOff(sensor: IngestSensor, batchId: string, sightings: KnownSighting[]): Promise<void> {
    if (sightings.length === 0) return;
    try {
      await this.deps.presence.record({
        orgId: sensor.orgId,
        venueId: sensor.venueId,
        zoneId: sensor.zoneId,
        sensorId: sensor.id,
        batchKey: `${sensor.id}:${batchId}`,
        sightings,
      });
    } catch (error) {
      // The probes are stored; the sender's retry is answered as a duplicate and hands the sightings over again.
      const failure = new AppError('DEPENDENCY_UNAVAILABLE', 'Presence tracking is unavailable; retry this batch (its probes are stored once, whatever the retries)');
      failure.cause = error;
      throw failure;
    }
  }
}
