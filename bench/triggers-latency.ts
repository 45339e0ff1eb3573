/**
 * Trigger latency: an event submitted through `POST /api/v1/events` (real HTTP, in batches) until the CRM's
 * webhook receiver (a local server verifying each signature) has it, through the real workers (evaluation
 * and delivery queues) on PostgreSQL and the test Redis (TEST_REDIS_URL), all in this one process.
 * One organisation, 500 active rules: 5 listen to the event (1 fires a webhook, 4 are recorded as
 * suppressed by their audience), the other 495 listen to other events, venues or zones.
 * Baseline, measured in the same run on the same Redis: a bare BullMQ add until a no-op worker runs it,
 * at the same rate; and how many no-op jobs per second BullMQ processes (addBulk, then drain).
 *   node --import tsx bench/triggers-latency.ts
 *   BENCH_TRIGGERS_RATE=1000 BENCH_TRIGGERS_SECONDS=10 BENCH_TRIGGERS_BATCH=10 node --import tsx bench/triggers-latency.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realpathSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { buildApp } from '../src/app.js';
import { createPool } from '../src/db/pool.js';
import { createMetrics } from '../src/http/metrics.js';
import { createRedisFactory } from '../src/queue/connection.js';
import { jobCatalog } from '../src/queue/jobs.js';
import { startWorkers } from '../src/queue/workers.js';
import { createServices } from '../src/services.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { createTriggers } from '../src/triggers/index.js';
import { TRIGGER_DELIVERIES_QUEUE, TRIGGER_EVENTS_QUEUE } from '../src/triggers/triggers.jobs.js';
import { startWebhookReceiver } from '../test/fakes/webhook-receiver.server.js';
import { testConfig } from '../test/helpers/context.js';
import { createTestDatabase } from '../test/helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../test/helpers/env.js';
import { newOrg } from '../test/helpers/factories.js';
import { deletePrefix, testPrefix } from '../test/helpers/redis.js';

const RATE = Number(process.env.BENCH_TRIGGERS_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_TRIGGERS_SECONDS ?? 10);
const BATCH = Number(process.env.BENCH_TRIGGERS_BATCH ?? 10);
const CONCURRENCY = Number(process.env.BENCH_TRIGGERS_CONCURRENCY ?? 16);
const VISITORS = 2_000;
const RAMP = (process.env.BENCH_TRIGGERS_RAMP ?? '50,100,150,200,250,300,400,500,750,1000').split(',').filter(Boolean).map(Number);
const RAMP_SECONDS = 4;
/** A step is sustained when every event arrives and p99 stays under this (a backlog growing over the step pushes it up). */
const SUSTAIN_MS = 1_000;
const DRAIN_MS = 10_000;

interface Figures {
  name: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
  /** Events (or jobs) completed per second over the step, drain included. */
  achieved: number;
  /** Not received within DRAIN_MS of the last submission (still queued: the load is beyond capacity). */
  late: number;
}

const silent = createLogger('silent');
const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

function figures(name: string, samples: number[], sent: number, elapsedMs: number): Figures {
  const s = [...samples].sort((a, b) => a - b);
  return { name, n: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99), max: s.at(-1) ?? Number.NaN, achieved: (s.length * 1000) / elapsedMs, late: sent - s.length };
}

/** Calls `fire(i)` for i < count, `rate` per second in slots of `batch`; resolves once all calls settled. */
async function offer(count: number, rate: number, batch: number, fire: (first: number, size: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const running: Promise<void>[] = [];
  for (let first = 0; first < count; first += batch) {
    const wait = started + (first * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(fire(first, Math.min(batch, count - first)));
  }
  await Promise.all(running);
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await sleep(10);
}

async function baseline(redis: ReturnType<typeof createRedisFactory>, prefix: string): Promise<{ latency: Figures; throughput: number }> {
  const queue = new Queue('bench-baseline', { connection: redis.create('client'), prefix });
  const seen: number[] = [];
  const worker = new Worker('bench-baseline', (job) => {
    seen.push(performance.now() - (job.data as { t: number }).t);
    return Promise.resolve();
  }, { connection: redis.create('worker'), prefix, concurrency: CONCURRENCY });
  await worker.waitUntilReady();
  const count = RATE * Math.min(SECONDS, 5);
  const started = performance.now();
  await offer(count, RATE, 1, async () => {
    await queue.add('noop', { t: performance.now() }, { removeOnComplete: true });
  });
  await waitUntil(() => seen.length >= count, 30_000);
  const latency = figures('BullMQ add -> worker runs it (baseline)', seen, count, performance.now() - started);
  // Throughput: 5,000 no-op jobs added in bulk, timed until the last one ran.
  seen.length = 0;
  const bulk = Array.from({ length: 5_000 }, () => ({ name: 'noop', data: { t: performance.now() }, opts: { removeOnComplete: true } }));
  const bulkStarted = performance.now();
  for (let i = 0; i < bulk.length; i += 1_000) await queue.addBulk(bulk.slice(i, i + 1_000));
  await waitUntil(() => seen.length >= bulk.length, 60_000);
  const throughput = (seen.length * 1000) / (performance.now() - bulkStarted);
  await worker.close();
  await queue.close();
  return { latency, throughput };
}

export async function benchTriggers(): Promise<void> {
  const database = await createTestDatabase();
  const prefix = `{${testPrefix()}}`;
  const db = createPool(database.url, 24, silent);
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' });
  const redis = createRedisFactory(TEST_REDIS_URL);
  const client = redis.create('client');
  const services = createServices({ db, clock: systemClock, secretKey: TEST_SECRET_KEY });
  const triggers = createTriggers({ config, db, redis: client, clock: systemClock, secretKey: TEST_SECRET_KEY, logger: silent });
  const server = createServer(buildApp({ config, db, redis: client, logger: silent, clock: systemClock, metrics: createMetrics(), secretKey: TEST_SECRET_KEY, services, triggers }));
  const { engine } = triggers;
  const workers = await startWorkers({
    catalog: jobCatalog,
    handlers: { 'trigger.event': engine.handleEvent, 'trigger.deliver': engine.handleDelivery },
    redis,
    prefix,
    concurrency: CONCURRENCY,
    logger: silent,
  });
  const sentAt = new Map<string, number>();
  const latencies = new Map<string, number>();
  const crm = await startWebhookReceiver({
    secrets: [],
    onReceive: (w) => {
      const eventId = (JSON.parse(w.body) as { data?: { eventId?: string } }).data?.eventId ?? '';
      const sent = sentAt.get(eventId);
      if (w.verified && sent !== undefined && !latencies.has(eventId)) latencies.set(eventId, performance.now() - sent);
    },
  });
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    const setup = await seed(services, triggers, db, crm);
    const headers = { Authorization: `Bearer ${setup.apiKey}`, 'Content-Type': 'application/json' };
    let errors = 0;
    const run = async (tag: string, rate: number, seconds: number, name: string): Promise<Figures> => {
      const count = Math.round(rate * seconds);
      const ids: string[] = [];
      const started = performance.now();
      await offer(count, rate, BATCH, async (first, size) => {
        const events = Array.from({ length: size }, (_, k) => {
          const id = `${tag}-${first + k}`;
          ids.push(id);
          sentAt.set(id, performance.now());
          return { id, type: 'custom', name: 'bench', venueId: setup.venueId, visitorId: setup.visitors[(first + k) % setup.visitors.length] };
        });
        const res = await fetch(`${base}/events`, { method: 'POST', headers, body: JSON.stringify({ events }) });
        await res.arrayBuffer();
        if (res.status !== 202) errors += 1;
      });
      // What has not arrived this long after the last submission counts as lost (the machine cannot keep up).
      await waitUntil(() => ids.every((id) => latencies.has(id)), DRAIN_MS);
      const samples = ids.flatMap((id) => latencies.get(id) ?? []);
      return figures(name, samples, count, performance.now() - started);
    };

    await run('warm', 50, 2, 'warm-up');
    const bare = await baseline(redis, prefix);
    // The ramp first (it stops at the first rate not sustained), then the offered load, which may overload.
    const ramp: Figures[] = [];
    for (const rate of RAMP) {
      const step = await run(`ramp${rate}`, rate, RAMP_SECONDS, `${rate}/s`);
      ramp.push(step);
      if (!sustained(step)) break;
    }
    await dropBacklog(redis, prefix);
    const main = await run('main', RATE, SECONDS, `POST /events -> webhook received`);
    print(setup, bare, main, ramp, errors);
  } finally {
    server.close();
    server.closeAllConnections();
    await workers.close();
    await crm.close();
    await triggers.close();
    await redis.closeAll();
    await deletePrefix(prefix);
    await db.end();
    await database.drop();
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}

const sustained = (f: Figures): boolean => f.late === 0 && f.p99 < SUSTAIN_MS;

/** Drops what an overloaded step left queued, so the next measurement starts from empty queues. */
async function dropBacklog(redis: ReturnType<typeof createRedisFactory>, prefix: string): Promise<void> {
  for (const name of [TRIGGER_EVENTS_QUEUE, TRIGGER_DELIVERIES_QUEUE]) {
    const queue = new Queue(name, { connection: redis.create('client'), prefix });
    await queue.drain(true);
    while ((await queue.getActiveCount()) > 0) await sleep(50);
    await queue.close();
  }
}

type Triggers = ReturnType<typeof createTriggers>;

/** The organisation, its venues and zones, 500 rules, the receiver's endpoint and the visitors. */
async function seed(services: ReturnType<typeof createServices>, triggers: Triggers, db: ReturnType<typeof createPool>, crm: Awaited<ReturnType<typeof startWebhookReceiver>>) {
  const org = await newOrg(services, 'Bench');
  const others = await Promise.all(Array.from({ length: 9 }, (_, i) => services.venues.create(org.orgId, { name: `Venue ${i}`, timezone: 'Europe/London' })));
  const zones = await Promise.all([0, 1, 2].map((i) => services.venues.createZone(org.orgId, org.venueId, { name: `Zone ${i}` })));
  const { endpoint, secret } = await triggers.webhooks.service.create(org.orgId, { url: crm.url });
  crm.setSecrets([secret]);
  const webhook = { type: 'webhook', endpointIds: [endpoint.id] };
  const definitions: Record<string, unknown>[] = [
    { name: 'fires', trigger: { type: 'custom', name: 'bench' }, scope: { venueIds: [org.venueId] }, cooldownMinutes: 0, countsTowardsDailyCap: false, actions: [webhook] },
    ...[0, 1, 2, 3].map((i) => ({
      name: `audience ${i}`,
      trigger: { type: 'custom', name: 'bench' },
      audience: { attributes: [{ key: 'tier', op: 'eq', value: `platinum-${i}` }] },
      actions: [webhook],
    })),
  ];
  const presence = ['presence.entered', 'presence.left', 'presence.passed_by', 'portal.login', 'visit.first'];
  for (let i = 0; definitions.length < 500; i += 1) {
    const kind = i % 4;
    const trigger = kind === 0 ? { type: 'custom', name: `other-${i}` } : kind === 1 ? { type: presence[i % presence.length] } : { type: 'custom', name: 'bench' };
    const scope = kind === 2 ? { venueIds: [others[i % others.length]?.id ?? org.venueId] } : kind === 3 ? { venueIds: [org.venueId], zoneIds: [zones[i % 3]?.id] } : {};
    definitions.push({ name: `noise ${i}`, trigger, scope, actions: [webhook] });
  }
  for (const definition of definitions) await triggers.rules.service.create(org.orgId, definition);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO visitors (id, org_id, phone, last_verified_at)
     SELECT gen_random_uuid(), $1, '+4475' || lpad(i::text, 8, '0'), now() FROM generate_series(1, $2) AS i RETURNING id`,
    [org.orgId, VISITORS],
  );
  return { apiKey: org.apiKey, venueId: org.venueId, visitors: rows.map((r) => r.id), rules: definitions.length };
}

function print(setup: { rules: number; visitors: string[] }, bare: { latency: Figures; throughput: number }, main: Figures, ramp: Figures[], errors: number): void {
  const row = (f: Figures, label = f.name): string =>
    `${label.padEnd(44)}${String(f.n).padStart(7)}${f.p50.toFixed(1).padStart(9)}${f.p99.toFixed(1).padStart(9)}${f.max.toFixed(1).padStart(9)}${f.achieved.toFixed(0).padStart(10)}${String(f.late).padStart(6)}`;
  const head = `${'case'.padEnd(44)}${'n'.padStart(7)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'done/s'.padStart(10)}${'late'.padStart(6)}`;
  console.log(`\nTriggers: one org, ${setup.rules} active rules (5 match the event: 1 fires a webhook, 4 suppressed by audience), ${setup.visitors.length} visitors`);
  console.log(`events via POST /api/v1/events (HTTP, batches of ${BATCH}), workers concurrency ${CONCURRENCY}, API + workers + receiver in one process, Redis ${new URL(TEST_REDIS_URL).host}`);
  console.log(`latency: event submitted (POST sent) -> verified webhook received by the local CRM receiver\n`);
  console.log(head);
  console.log(row(bare.latency, `BullMQ add -> run, ${RATE}/s (baseline)`));
  console.log(row(main, `${main.name}, ${RATE}/s for ${SECONDS} s`));
  console.log(`(late: not received within ${DRAIN_MS / 1000} s of the last submission, i.e. still queued)`);
  console.log(`\nramp (${RAMP_SECONDS} s per step; sustained: nothing late and p99 < ${SUSTAIN_MS} ms)`);
  console.log(head);
  for (const step of ramp) console.log(`${row(step)}  ${sustained(step) ? 'sustained' : 'NOT sustained'}`);
  const best = ramp.filter(sustained).at(-1);
  const ratios = (f: Figures): string => `p50 ${(f.p50 / bare.latency.p50).toFixed(0)}x, p99 ${(f.p99 / bare.latency.p99).toFixed(0)}x`;
  console.log(`\nratios against the baseline (BullMQ add -> run at ${RATE}/s):`);
  console.log(`  offered ${RATE}/s:${' '.repeat(10)}${ratios(main)}${main.late > 0 ? ' (beyond capacity: mostly queueing)' : ''}`);
  if (best) console.log(`  max sustained ${best.name}:${' '.repeat(Math.max(1, 11 - best.name.length))}${ratios(best)}`);
  const max = best ? Number(best.name.replace('/s', '')) : 0;
  console.log(`max sustained: ${best ? best.name : 'none of the steps'}; BullMQ bare no-op jobs: ${bare.throughput.toFixed(0)}/s (ratio ${(max / bare.throughput).toFixed(3)}x)`);
  if (errors > 0) console.log(`POST /events errors: ${errors}`);
}

const isMain = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) await benchTriggers();
