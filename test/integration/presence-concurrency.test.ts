import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { defaultVenueAnalyticsSettings, type VenueAnalyticsSettings } from '../../src/analytics/analytics.settings.js';
import {
  createPresenceHandlers,
  createPresenceService,
  createPresenceSink,
  createQueuePublisher,
  PRESENCE_EVENTS_QUEUE,
  PRESENCE_QUEUE,
  presenceEventSchema,
  presenceJobCatalog,
  presenceStateSchema,
  trackSightings,
  type PresenceEvent,
  type PresencePublisher,
  type PresenceState,
  type PresenceService,
  type SightingBatch,
  type SightingsJob,
} from '../../src/analytics/presence/index.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { JobProducer } from '../../src/queue/producer.js';
import { startWorkers, type WorkerGroup } from '../../src/queue/workers.js';
import { createLogger } from '../../src/shared/logger.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';

const silent = createLogger('silent');
const T0 = Date.UTC(2025, 5, 2, 10) / 1000;
const SETTINGS: VenueAnalyticsSettings = { ...defaultVenueAnalyticsSettings(), visitorMinDwellSeconds: 60, sessionTimeoutSeconds: 300, dwellThresholdsMinutes: [2, 4] };
/** All batches of a test are in flight at once, spanning up to 300 s of sightings: the lateness the tracker must absorb. */
const LATENESS = 300;
const ORG = randomUUID();
const VISITOR = randomUUID();
let clockOffset = 705;
const clock = { now: () => new Date((T0 + clockOffset) * 1000) };

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

/** One sensor's stream for a device, cut into `parts` batches. */
function sensorBatches(device: string, venueId: string, zoneId: string, offsets: number[], parts: number): SightingBatch[] {
  const sensorId = randomUUID();
  const size = Math.ceil(offsets.length / parts);
  return Array.from({ length: Math.ceil(offsets.length / size) }, (_, i) => ({
    orgId: ORG,
    venueId,
    zoneId,
    sensorId,
    batchKey: `${sensorId}:${i}`,
    sightings: offsets.slice(i * size, (i + 1) * size).map((o) => ({ deviceHash: device, visitorId: VISITOR, ts: T0 + o, rssi: o % 30 === 0 ? -80 : -55 })),
  }));
}

const range = (from: number, to: number, step: number): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const label = (e: PresenceEvent, zones: Record<string, string>): string =>
  `${e.type}${e.type === 'presence.dwell' ? `:${e.dwellMinutes}` : ''}${e.zoneId === null ? '' : `@${zones[e.zoneId] ?? '?'}`}`;

/** What the pure tracker says for all the sightings at once, in order: the answer any interleaving must agree with. */
function reference(batches: SightingBatch[], venueId: string, device: string) {
  const sightings = batches.flatMap((b) => b.sightings.map((s) => ({ ts: s.ts, rssi: s.rssi, zoneId: b.zoneId, visitorId: s.visitorId })));
  return trackSightings(undefined, { orgId: ORG, venueId, deviceHash: device, sightings }, { ...SETTINGS, timeZone: 'UTC', latenessSeconds: LATENESS }, T0 + clockOffset);
}

/** Which sighting opened a visit depends on arrival order; everything else must not. */
function withoutAnchor(state: PresenceState) {
  const strip = (place: PresenceState['venue']) => ({ ...place, visits: place.visits.map((v) => ({ ...v, anchor: 0, dwellMinutes: [...v.dwellMinutes].sort() })) });
  return { ...state, venue: strip(state.venue), zones: Object.fromEntries(Object.entries(state.zones).map(([id, place]) => [id, strip(place)])) };
}

describe('presence under concurrency and crashes', () => {
  const prefix = `{${testPrefix()}}`;
  let factory: RedisFactory;
  let producer: JobProducer<typeof presenceJobCatalog>;
  let eventsQueue: Queue;
  let redis: Redis;

  before(() => {
    factory = createRedisFactory(TEST_REDIS_URL);
    producer = new JobProducer(presenceJobCatalog, factory.create('client'), prefix);
    eventsQueue = producer.queue(PRESENCE_EVENTS_QUEUE);
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    await producer.close();
    redis.disconnect();
    await factory.closeAll();
    await deletePrefix(prefix);
  });

  const service = (publisher?: PresencePublisher): PresenceService =>
    createPresenceService({ redis: factory.create('client'), prefix, clock, settingsFor: () => Promise.resolve(SETTINGS), publisher, latenessSeconds: LATENESS });
  const eventsOf = async (device: string): Promise<PresenceEvent[]> =>
    (await eventsQueue.getJobs(['waiting'])).map((job) => presenceEventSchema.parse(job.data)).filter((e) => e.deviceHash === device);
  const storedState = async (venueId: string, device: string) => {
    const raw = await redis.get(`${prefix}:presence:state:${ORG}:${venueId}:${device}`);
    return presenceStateSchema.parse(JSON.parse(raw ?? 'null'));
  };

  it('two worker processes on interleaved batches of one device from two sensors agree with the sequential answer', async () => {
    const [venueId, zoneA, zoneB, device] = [randomUUID(), randomUUID(), randomUUID(), randomBytes(32).toString('hex')];
    const batches = [...sensorBatches(device, venueId, zoneA, range(400, 700, 10), 15), ...sensorBatches(device, venueId, zoneB, range(405, 705, 10), 15)];
    const services = [service(), service()];
    const groups: WorkerGroup[] = [];
    for (const s of services) {
      groups.push(await startWorkers({ catalog: presenceJobCatalog, handlers: createPresenceHandlers(s), redis: factory, prefix, concurrency: 8, logger: silent }));
    }
    const sink = createPresenceSink({ redis: factory.create('client'), prefix });
    try {
      await Promise.all(batches.map((b) => sink.record(b)));
      const sightingsQueue = producer.queue(PRESENCE_QUEUE);
      await until(async () => (await sightingsQueue.getCompletedCount()) === batches.length);
    } finally {
      await Promise.all(groups.map((g) => g.close()));
      await sink.close();
    }
    const zones = { [zoneA]: 'A', [zoneB]: 'B' };
    const expected = reference(batches, venueId, device);
    const events = await eventsOf(device);
    assert.deepEqual(events.map((e) => label(e, zones)).sort(), expected.events.map((e) => label(e, zones)).sort());
    assert.equal(new Set(events.map((e) => e.id)).size, events.length);
    assert.deepEqual(withoutAnchor(await storedState(venueId, device)), withoutAnchor(expected.state));
  });

  it('resolves simultaneous updates of one device by compare-and-set: none lost, none doubled', async () => {
    const [venueId, zoneId, device] = [randomUUID(), randomUUID(), randomBytes(32).toString('hex')];
    const batches = sensorBatches(device, venueId, zoneId, range(410, 700, 2), 30);
    const s = service();
    await Promise.all(batches.map((b) => s.recordSightings(b, silent)));
    assert.ok(s.stats.conflicts >= batches.length - 1, `updates raced (${s.stats.conflicts} conflicts)`);
    const expected = reference(batches, venueId, device);
    assert.deepEqual(withoutAnchor(await storedState(venueId, device)), withoutAnchor(expected.state), 'the stored state saw every sighting');
    const zones = { [zoneId]: 'Z' };
    const events = await eventsOf(device);
    assert.deepEqual(events.map((e) => label(e, zones)).sort(), expected.events.map((e) => label(e, zones)).sort());
  });

  it('re-publishes events committed before a crash: on the job retry, or from the sweep when no retry comes', async () => {
    for (const recovery of ['retry', 'sweep'] as const) {
      const [venueId, zoneId, device] = [randomUUID(), randomUUID(), randomBytes(32).toString('hex')];
      const [job] = sensorBatches(device, venueId, zoneId, range(400, 700, 20), 1) as [SightingsJob];
      const crashing = service({ publish: () => Promise.reject(new Error('worker died')) });
      await assert.rejects(crashing.recordSightings(job, silent), /worker died/);
      assert.deepEqual(await eventsOf(device), [], 'nothing published yet');
      assert.ok((await redis.hlen(`${prefix}:presence:pending:${ORG}:${venueId}:${device}`)) > 0, 'but committed to the outbox');
      const healthy = service(createQueuePublisher(producer));
      if (recovery === 'retry') {
        await healthy.recordSightings(job, silent);
      } else {
        clockOffset = 705 + 31;
        try {
          assert.equal((await healthy.sweep(silent)).flushed, 6);
        } finally {
          clockOffset = 705;
        }
      }
      const events = await eventsOf(device);
      assert.deepEqual(events.map((e) => label(e, { [zoneId]: 'Z' })).sort(), reference([job], venueId, device).events.map((e) => label(e, { [zoneId]: 'Z' })).sort(), recovery);
      assert.equal(await redis.hlen(`${prefix}:presence:pending:${ORG}:${venueId}:${device}`), 0, `${recovery}: outbox acknowledged`);
    }
  });
});
