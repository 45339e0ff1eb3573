/**
 * Presence latency: from `PresenceSink.record(batch)` to the event job being in the `presence-events`
 * queue, at a steady rate, through the real workers (`startWorkers` with the presence catalog) on the test
 * Redis (TEST_REDIS_URL) under a key prefix of its own. The baseline, measured in the same run at the same
 * rate and seen the same way, is a plain BullMQ `add` until its job is waiting: the ratio is what presence
 * tracking adds on top of one queue hop (it makes two: the sightings job, then the event job).
 * Each measured batch carries one device's sighting that turns it into a visitor (one `presence.entered`).
 *   node --import tsx bench/presence-latency.ts
 *   BENCH_PRESENCE_EVENTS=3000 BENCH_PRESENCE_RATE=200 node --import tsx bench/presence-latency.ts
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import { defaultVenueAnalyticsSettings } from '../src/analytics/analytics.settings.js';
import {
  createPresenceHandlers,
  createPresenceService,
  createPresenceSink,
  PRESENCE_EVENTS_QUEUE,
  presenceEventId,
  presenceJobCatalog,
  type SightingBatch,
} from '../src/analytics/presence/index.js';
import { createRedisFactory } from '../src/queue/connection.js';
import { JobProducer } from '../src/queue/producer.js';
import { startWorkers } from '../src/queue/workers.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { TEST_REDIS_URL } from '../test/helpers/env.js';
import { deletePrefix, testPrefix } from '../test/helpers/redis.js';

export interface LatencyFigures {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PresenceBenchResult {
  ratePerSecond: number;
  baseline: LatencyFigures;
  presence: LatencyFigures;
  /** presence / baseline: how many "plain queue hops" one presence event costs. */
  ratioP50: number;
  ratioP99: number;
  conflicts: number;
}

const BASELINE_QUEUE = 'bench-baseline';
const WORKER_CONCURRENCY = 8;

function figures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? Number.NaN };
}

/** Calls `fire(i)` `count` times at a steady rate (not waiting for each to finish), then waits for all. */
async function steady(count: number, ratePerSecond: number, fire: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(fire(i));
  }
  await Promise.all(running);
}

/** Resolves with the latency of each job id once it is waiting, as seen by a QueueEvents listener. */
function watch(events: QueueEvents, startedAt: Map<string, number>): { latencies: number[]; done(count: number, timeoutMs: number): Promise<void> } {
  const latencies: number[] = [];
  events.on('waiting', ({ jobId }) => {
    const started = startedAt.get(jobId);
    if (started === undefined) return;
    startedAt.delete(jobId);
    latencies.push(performance.now() - started);
  });
  return {
    latencies,
    async done(count, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (latencies.length < count) {
        if (performance.now() > deadline) throw new Error(`only ${latencies.length} of ${count} jobs seen in time`);
        await sleep(20);
      }
    },
  };
}

export async function benchPresence(options: { events?: number; ratePerSecond?: number } = {}): Promise<PresenceBenchResult> {
  const count = options.events ?? 3_000;
  const rate = options.ratePerSecond ?? 200;
  const prefix = `{${testPrefix()}}`;
  const redis = createRedisFactory(TEST_REDIS_URL);
  const settings = { ...defaultVenueAnalyticsSettings(), visitorMinDwellSeconds: 30, minVisitSeconds: 0, dwellThresholdsMinutes: [] };
  const service = createPresenceService({ redis: redis.create('client'), prefix, clock: systemClock, settingsFor: () => Promise.resolve(settings) });
  const workers = await startWorkers({
    catalog: presenceJobCatalog,
    handlers: createPresenceHandlers(service),
    redis,
    prefix,
    concurrency: WORKER_CONCURRENCY,
    logger: createLogger('silent'),
  });
  const sink = createPresenceSink({ redis: redis.create('client'), prefix });
  const producer = new JobProducer(presenceJobCatalog, redis.create('client'), prefix);
  const queueEvents = [PRESENCE_EVENTS_QUEUE, BASELINE_QUEUE].map((name) => new QueueEvents(name, { connection: redis.create('worker'), prefix }));
  try {
    await Promise.all(queueEvents.map((q) => q.waitUntilReady()));
    const [presenceEvents, baselineEvents] = queueEvents as [QueueEvents, QueueEvents];

    // Baseline: one plain add -> waiting, at the same rate.
    const baselineStarts = new Map<string, number>();
    const baseline = watch(baselineEvents, baselineStarts);
    const baselineQueue = producer.queue(BASELINE_QUEUE);
    await steady(count, rate, async (i) => {
      const jobId = `baseline-${i}`;
      baselineStarts.set(jobId, performance.now());
      await baselineQueue.add('bench', { i }, { jobId });
    });
    await baseline.done(count, 60_000);

    // Presence: each device was seen 40 s ago (not measured); the measured sighting makes it a visitor.
    const orgId = randomUUID();
    const venueId = randomUUID();
    const visitorId = randomUUID();
    const devices = Array.from({ length: count }, () => randomBytes(32).toString('hex'));
    const firstSeen = Math.floor(Date.now() / 1000) - 40;
    const batch = (sightings: SightingBatch['sightings']): SightingBatch => ({ orgId, venueId, zoneId: null, sensorId: randomUUID(), batchKey: randomUUID(), sightings });
    await sink.record(batch(devices.map((deviceHash) => ({ deviceHash, visitorId, ts: firstSeen, rssi: -50 }))));
    await waitForIdle(producer);

    const presenceStarts = new Map<string, number>();
    const presence = watch(presenceEvents, presenceStarts);
    await steady(count, rate, async (i) => {
      const deviceHash = devices[i] ?? '';
      presenceStarts.set(presenceEventId({ orgId, venueId, zoneId: null, deviceHash, visitAnchor: firstSeen, type: 'presence.entered' }), performance.now());
      await sink.record(batch([{ deviceHash, visitorId, ts: Date.now() / 1000, rssi: -50 }]));
    });
    await presence.done(count, 60_000);

    const b = figures(baseline.latencies);
    const p = figures(presence.latencies);
    return { ratePerSecond: rate, baseline: b, presence: p, ratioP50: p.p50Ms / b.p50Ms, ratioP99: p.p99Ms / b.p99Ms, conflicts: service.stats.conflicts };
  } finally {
    await Promise.all(queueEvents.map((q) => q.close()));
    await workers.close();
    await sink.close();
    await producer.close();
    await redis.closeAll();
    await deletePrefix(prefix);
  }
}

async function waitForIdle(producer: JobProducer<typeof presenceJobCatalog>): Promise<void> {
  const queue = producer.queue(presenceJobCatalog['presence.sightings'].queue);
  for (;;) {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) return;
    await sleep(50);
  }
}

export function printPresenceBench(r: PresenceBenchResult): void {
  const row = (name: string, f: LatencyFigures): string =>
    `${name.padEnd(44)}${String(f.count).padStart(7)}${f.p50Ms.toFixed(2).padStart(9)}${f.p99Ms.toFixed(2).padStart(9)}${f.maxMs.toFixed(2).padStart(9)}`;
  console.log(`\nPresence latency: ${r.ratePerSecond}/s steady, ${WORKER_CONCURRENCY} workers, one process, Redis ${new URL(TEST_REDIS_URL).host}\n`);
  console.log(`${'case'.padEnd(44)}${'n'.padStart(7)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`);
  console.log(row('BullMQ add -> waiting (baseline)', r.baseline));
  console.log(row('record(batch) -> presence event waiting', r.presence));
  console.log(`\nratio presence / baseline: p50 ${r.ratioP50.toFixed(2)}x, p99 ${r.ratioP99.toFixed(2)}x (compare-and-set conflicts: ${r.conflicts})`);
}

const isMain = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const events = Number(process.env.BENCH_PRESENCE_EVENTS ?? 3_000);
  const ratePerSecond = Number(process.env.BENCH_PRESENCE_RATE ?? 200);
  printPresenceBench(await benchPresence({ events, ratePerSecond }));
}
