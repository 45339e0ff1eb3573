import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { defaultVenueAnalyticsSettings, type VenueAnalyticsSettings } from '../../src/analytics/analytics.settings.js';
import {
  createPresenceHandlers,
  createPresenceService,
  createPresenceSink,
  PRESENCE_EVENTS_QUEUE,
  PRESENCE_QUEUE,
  presenceEventSchema,
  presenceJobCatalog,
  sightingsJobId,
  type ClosablePresenceSink,
  type PresenceEvent,
  type PresenceService,
  type SightingBatch,
} from '../../src/analytics/presence/index.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { JobProducer } from '../../src/queue/producer.js';
import { startWorkers, type WorkerGroup } from '../../src/queue/workers.js';
import { notFound } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, scanKeys, testPrefix } from '../helpers/redis.js';

const silent = createLogger('silent');
const T0 = Date.UTC(2025, 5, 2, 10) / 1000;
const SETTINGS: VenueAnalyticsSettings = {
  ...defaultVenueAnalyticsSettings(),
  visitorMinDwellSeconds: 60,
  minVisitSeconds: 60,
  sessionTimeoutSeconds: 120,
  dwellThresholdsMinutes: [2, 4],
};
const GRACE = 10;

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const newDevice = (): string => randomBytes(32).toString('hex');

interface BatchSpec {
  deviceHash: string;
  offsets: number[];
  venueId?: string;
  zoneId?: string | null;
  rssi?: number;
  visitorId?: string;
  batchKey?: string;
}

const ORG = randomUUID();
const VISITOR = randomUUID();
const DELETED_VENUE = randomUUID();

function batch(spec: BatchSpec): SightingBatch {
  return {
    orgId: ORG,
    venueId: spec.venueId ?? randomUUID(),
    zoneId: spec.zoneId ?? null,
    sensorId: randomUUID(),
    batchKey: spec.batchKey ?? randomUUID(),
    sightings: spec.offsets.map((o) => ({ deviceHash: spec.deviceHash, visitorId: spec.visitorId ?? VISITOR, ts: T0 + o, rssi: spec.rssi ?? -50 })),
  };
}

const range = (from: number, to: number, step: number): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

const label = (e: PresenceEvent): string =>
  `${e.type.slice('presence.'.length)}${e.type === 'presence.dwell' ? `:${e.dwellMinutes}` : ''}${e.type === 'presence.returned' ? `:${e.daysSinceLastVisit}` : ''}${e.zoneId === null ? '' : '@zone'}`;

describe('presence: workers, queue and Redis state', () => {
  const prefix = `{${testPrefix()}}`;
  let nowMs = T0 * 1000;
  const clock = { now: () => new Date(nowMs) };
  let factory: RedisFactory;
  let service: PresenceService;
  let group: WorkerGroup;
  let sink: ClosablePresenceSink;
  let producer: JobProducer<typeof presenceJobCatalog>;
  let sightingsQueue: Queue;
  let eventsQueue: Queue;
  let sweeps = 0;

  before(async () => {
    factory = createRedisFactory(TEST_REDIS_URL);
    const settingsFor = (_orgId: string, venueId: string) => (venueId === DELETED_VENUE ? Promise.reject(notFound('Venue')) : Promise.resolve(SETTINGS));
    service = createPresenceService({ redis: factory.create('client'), prefix, clock, settingsFor, latenessSeconds: GRACE });
    group = await startWorkers({ catalog: presenceJobCatalog, handlers: createPresenceHandlers(service), redis: factory, prefix, concurrency: 4, logger: silent });
    sink = createPresenceSink({ redis: factory.create('client'), prefix });
    producer = new JobProducer(presenceJobCatalog, factory.create('client'), prefix);
    sightingsQueue = producer.queue(PRESENCE_QUEUE);
    eventsQueue = producer.queue(PRESENCE_EVENTS_QUEUE);
  });
  after(async () => {
    await group.close();
    await sink.close();
    await producer.close();
    await factory.closeAll();
    await deletePrefix(prefix);
  });

  const finished = async (id: string): Promise<string> => {
    let state = 'unknown';
    await until(async () => {
      const job = await sightingsQueue.getJob(id);
      state = job?.finishedOn === undefined ? 'pending' : job.failedReason ? 'failed' : 'completed';
      return state !== 'pending';
    });
    return state;
  };
  const record = async (b: SightingBatch): Promise<void> => {
    await sink.record(b);
    assert.equal(await finished(sightingsJobId(b, 0)), 'completed');
  };
  const sweep = async (): Promise<void> => {
    sweeps += 1;
    const id = await producer.enqueue('presence.sweep', {}, { jobId: `sweep-${sweeps}` });
    assert.equal(await finished(id), 'completed');
  };
  const eventsOf = async (deviceHash: string): Promise<{ jobId: string; name: string; event: PresenceEvent }[]> => {
    const jobs = await eventsQueue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
    return jobs
      .map((job) => ({ jobId: job.id ?? '', name: job.name, event: presenceEventSchema.parse(job.data) }))
      .filter((j) => j.event.deviceHash === deviceHash)
      .sort((a, b) => a.event.occurredAt.localeCompare(b.event.occurredAt));
  };

  it('turns a sightings batch into exactly the expected events, with job id = event id', async () => {
    nowMs = (T0 + 300) * 1000;
    const device = newDevice();
    const zoneId = randomUUID();
    await record(batch({ deviceHash: device, zoneId, offsets: range(0, 300, 20) }));
    const jobs = await eventsOf(device);
    assert.deepEqual(jobs.map((j) => label(j.event)).sort(), ['dwell:2', 'dwell:2@zone', 'dwell:4', 'dwell:4@zone', 'entered', 'entered@zone']);
    for (const { jobId, name, event } of jobs) {
      assert.equal(jobId, event.id);
      assert.equal(name, 'presence.event');
      assert.equal(event.visitStartedAt, new Date(T0 * 1000).toISOString());
    }
    assert.equal(jobs.find((j) => j.event.type === 'presence.entered')?.event.occurredAt, new Date((T0 + 60) * 1000).toISOString());
  });

  it('does not track the same batch twice, nor the same sightings under a new batch key', async () => {
    nowMs = (T0 + 300) * 1000;
    const device = newDevice();
    const venueId = randomUUID();
    const first = batch({ deviceHash: device, venueId, offsets: range(0, 200, 20), batchKey: 'sensor-1:batch-7' });
    await record(first);
    const before = (await eventsOf(device)).map((j) => j.jobId).sort();
    assert.equal(before.length, 2);
    const firstRun = (await sightingsQueue.getJob(sightingsJobId(first, 0)))?.finishedOn;
    await sink.record(first);
    assert.equal(await sightingsQueue.getWaitingCount(), 0, 'BullMQ kept the finished job instead of adding it again');
    assert.equal((await sightingsQueue.getJob(sightingsJobId(first, 0)))?.finishedOn, firstRun);
    await record({ ...first, batchKey: 'sensor-1:batch-8' });
    assert.deepEqual((await eventsOf(device)).map((j) => j.jobId).sort(), before);
  });

  it('emits left from the sweep once the device is silent past the timeout (plus the allowed lateness), and forgets it', async () => {
    nowMs = (T0 + 300) * 1000;
    const device = newDevice();
    const zoneId = randomUUID();
    await record(batch({ deviceHash: device, zoneId, offsets: range(0, 300, 30) }));
    nowMs = (T0 + 300 + 120 + GRACE) * 1000;
    await sweep();
    assert.ok(!(await eventsOf(device)).some((j) => j.event.type === 'presence.left'), 'not gone yet');
    nowMs += 1_000;
    await sweep();
    const left = (await eventsOf(device)).filter((j) => j.event.type === 'presence.left').map((j) => j.event);
    assert.deepEqual(left.map(label).sort(), ['left', 'left@zone']);
    for (const event of left) {
      assert.ok(event.type === 'presence.left');
      assert.equal(event.durationSeconds, 300);
      assert.equal(event.occurredAt, new Date((T0 + 300) * 1000).toISOString());
    }
    const redis = new Redis(TEST_REDIS_URL);
    try {
      assert.equal(await redis.zscore(`${prefix}:presence:due`, `${ORG}:${left[0]?.venueId ?? ''}:${device}`), null);
      const memory = await scanKeys(redis, `${prefix}:presence:last:${ORG}:*:${VISITOR}`);
      assert.ok(memory.length >= 1);
      const ttl = await redis.ttl(memory[0] ?? '');
      assert.ok(ttl > 399 * 86_400, `the last-visit memory lives ~400 days (ttl ${ttl})`);
    } finally {
      redis.disconnect();
    }
  });

  it('announces returned when the same visitor comes back days later on another device', async () => {
    const venueId = randomUUID();
    const visitorId = randomUUID();
    nowMs = (T0 + 200) * 1000;
    await record(batch({ deviceHash: newDevice(), venueId, visitorId, offsets: range(0, 200, 20) }));
    nowMs = (T0 + 200 + 120 + GRACE + 1) * 1000;
    await sweep();
    const later = 3 * 86_400;
    nowMs = (T0 + later + 100) * 1000;
    const tablet = newDevice();
    await record(batch({ deviceHash: tablet, venueId, visitorId, offsets: range(later, later + 100, 20) }));
    assert.deepEqual((await eventsOf(tablet)).map((j) => label(j.event)).sort(), ['entered', 'returned:3']);
  });

  it('fails a malformed job for good and keeps processing the next ones', async () => {
    const bad = await sightingsQueue.add('presence.sightings', { orgId: 'not-an-id', sightings: [{ mac: 'aa:bb:cc:dd:ee:ff' }] }, { attempts: 3 });
    assert.equal(await finished(bad.id ?? ''), 'failed');
    const failed = await sightingsQueue.getJob(bad.id ?? '');
    assert.match(failed?.failedReason ?? '', /Invalid payload for "presence.sightings"/);
    assert.equal(failed?.attemptsMade, 1);
    nowMs = (T0 + 100) * 1000;
    const device = newDevice();
    await record(batch({ deviceHash: device, offsets: range(0, 100, 20) }));
    assert.deepEqual((await eventsOf(device)).map((j) => label(j.event)), ['entered']);
  });

  it('fails a batch for a venue deleted since ingest without retrying it', async () => {
    const b = batch({ deviceHash: newDevice(), venueId: DELETED_VENUE, offsets: [0, 20] });
    await sink.record(b);
    assert.equal(await finished(sightingsJobId(b, 0)), 'failed');
    const job = await sightingsQueue.getJob(sightingsJobId(b, 0));
    assert.match(job?.failedReason ?? '', /not found/);
    assert.equal(job?.attemptsMade, 1);
  });

  it('refuses an invalid batch at the sink before anything is queued', async () => {
    const b = batch({ deviceHash: 'AA:BB:CC:DD:EE:FF', offsets: [0] });
    await assert.rejects(sink.record(b), { name: 'AppError', code: 'VALIDATION_FAILED' });
    assert.equal(await sightingsQueue.getJob(sightingsJobId(b, 0)), undefined);
  });
});
