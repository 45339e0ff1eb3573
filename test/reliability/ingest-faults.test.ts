/**
 * Sensor ingestion against a PostgreSQL that goes away: a private cluster (never the shared one) restarted
 * under a simulated sensor, a connection cut right after COMMIT, and sensor clocks that are wrong. Real HTTP
 * to the real app; the sensor retries like the agent does (same batch id, same body).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool, type Db } from '../../src/db/pool.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { createServices, type Services } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTriggers } from '../../src/triggers/index.js';
import { testConfig } from '../helpers/context.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';

interface Outcome { batch: string; accepted: number; rejected: number; errors: { line?: number; reason: string }[]; duplicate: boolean }
interface Reply { status: number; retryAfter: string | null; body: unknown }

const PER_BATCH = 20;
const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const mac = (i: number): string => `02:00:5e:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every batch's probes are a minute old when the file starts: a retry sends the very same bytes, as the agent's spool does. */
const BATCH_TIME = Date.now() / 1000 - 60;
/** A batch whose probes all carry seq = its number: the probes table then says which batch each row came from. */
function batchBody(n: number): string {
  const t = BATCH_TIME;
  return ndjson(Array.from({ length: PER_BATCH }, (_, i) => ({ ts: t + i, mac: mac(i), rssi: -60, seq: n, channel: 6 })));
}

/** Passes bytes both ways; when armed, lets the next COMMIT reach the server and cuts the connection before its answer. */
function commitCuttingProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  const state = { armed: false, cut: 0 };
  const server = createTcpServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let cutOnAnswer = false;
    client.on('data', (chunk: Buffer) => {
      // Simple-query 'Q' message "COMMIT\0", as pg sends it for client.query('COMMIT').
      if (state.armed && chunk.includes('COMMIT\0')) [state.armed, cutOnAnswer] = [false, true];
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cutOnAnswer) return void client.write(chunk);
      state.cut += 1;
      client.destroy();
      upstream.destroy();
    });
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => (b.destroy(), sockets.delete(a)));
    }
  });
  return {
    state,
    server,
    async listen(): Promise<number> {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return (server.address() as { port: number }).port;
    },
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

interface Site { server: Server; url: string; pool: Db; services: Services }

describe('ingest when PostgreSQL fails', { timeout: 120_000 }, () => {
  let cluster: PrivatePostgres;
  let redis: RedisFactory;
  let client: Redis;
  const prefix = testPrefix();
  const proxy = { current: undefined as ReturnType<typeof commitCuttingProxy> | undefined };
  const sites: Site[] = [];
  let direct: Site;
  let org: TestOrg;
  let sensor: { id: string; token: string };

  /** The real app on its own HTTP port, over a pool to the given PostgreSQL port. */
  async function startSite(port: number): Promise<Site> {
    const config = testConfig({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix });
    const logger = createLogger('silent');
    const pool = createPool(config.database.url, 5, logger);
    const services = createServices({ db: pool, clock: systemClock, secretKey: TEST_SECRET_KEY, analytics: config.analytics });
    const triggers = createTriggers({ config, db: pool, redis: client, clock: systemClock, secretKey: TEST_SECRET_KEY, logger });
    const app = buildApp({ config, db: pool, redis: client, logger, clock: systemClock, metrics: createMetrics(), secretKey: TEST_SECRET_KEY, services, triggers });
    const server = createHttpServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const site = { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, pool, services };
    sites.push(site);
    return site;
  }

  before(async () => {
    cluster = await startPrivatePostgres();
    redis = createRedisFactory(TEST_REDIS_URL);
    client = redis.create('client');
    direct = await startSite(cluster.port);
    await migrate(direct.pool);
    org = await newOrg(direct.services);
    const created = await direct.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Door' });
    sensor = { id: created.sensor.id, token: created.token };
  });
  after(async () => {
    for (const site of sites) {
      site.server.closeAllConnections();
      await new Promise((resolve) => site.server.close(resolve));
      await site.pool.end().catch(() => undefined);
    }
    await proxy.current?.close();
    // `before` may have failed half-way: whatever exists is closed, the cluster always removed.
    await (redis as RedisFactory | undefined)?.closeAll();
    await deletePrefix(prefix);
    await (cluster as PrivatePostgres | undefined)?.destroy();
  });

  /** One POST as the sensor agent sends it; a hang fails the test (the bound is liveness, not speed). */
  async function send(site: Site, batchId: string, body: string, token = sensor.token): Promise<Reply> {
    const res = await fetch(`${site.url}/api/v1/ingest/probes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': batchId },
      body,
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
  }

  /** Every refusal must be a clear, retryable 503; anything else ends the test. */
  function assertClearRefusal(reply: Reply, batchId: string): void {
    assert.equal(reply.status, 503, `batch ${batchId}: expected 202 or 503, got ${reply.status} ${JSON.stringify(reply.body)}`);
    assert.match(reply.retryAfter ?? '', /^\d+$/, `batch ${batchId}: a 503 must say when to retry (Retry-After)`);
    const error = (reply.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'DEPENDENCY_UNAVAILABLE');
    assert.doesNotMatch(error.message, /at .*\.(ts|js):\d+|ECONN|SELECT|INSERT/, 'no stack, driver codes or SQL reach the sensor');
  }

  const readyStatus = async (site: Site) => (await fetch(`${site.url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;
  const probesBySeq = async (): Promise<Map<number, number>> => {
    const { rows } = await direct.pool.query<{ seq: number; n: number }>('SELECT seq, count(*)::int AS n FROM probes WHERE sensor_id = $1 GROUP BY seq', [sensor.id]);
    return new Map(rows.map((r) => [r.seq, r.n]));
  };

  it('answers 202 or a clear 503 with Retry-After through fast and immediate restarts, stores each probe once and recovers by itself', async (t) => {
    const atLeast = 30;
    let faultsDone = false;
    const accepted = new Map<number, Outcome>();
    const refused: number[] = [];
    let next = 0;
    /** The agent: sends its spool in order, retrying a refused batch under the same id until it is taken. */
    const sensorLoop = async () => {
      // Until the faults are over: a sensor that finished early would leave the outage unobserved.
      for (let n = next++; !faultsDone || n < atLeast; n = next++) {
        for (;;) {
          const reply = await send(direct, `seq-${n}`, batchBody(n));
          if (reply.status === 202) {
            accepted.set(n, reply.body as Outcome);
            break;
          }
          assertClearRefusal(reply, `seq-${n}`);
          refused.push(n);
          // Retry-After is for real sensors; the test retries sooner so it stays short.
          await sleep(100);
        }
        await sleep(40);
      }
    };
    let sensorFailed = false;
    const sensors = [sensorLoop(), sensorLoop()].map((loop) =>
      loop.catch((error: unknown) => {
        sensorFailed = true;
        throw error;
      }),
    );
    // The fault driver gives up as soon as a sensor has failed the test, instead of waiting out its bounds.
    const until = (what: string, check: () => Promise<boolean> | boolean) => waitFor(what, async () => sensorFailed || (await check()));
    const faults = (async () => {
      await until('first batches', () => accepted.size >= 3);
      await cluster.restart('fast');
      await until('batches after the fast restart', () => accepted.size >= 10);
      await cluster.restart('immediate');
      await until('batches after the immediate restart', () => accepted.size >= 16);
      // A stop long enough to be seen: sensors are refused and the app says it is not ready.
      await cluster.stop('immediate');
      const refusedBefore = refused.length;
      await until('a refused batch while the server is down', () => refused.length > refusedBefore);
      await until('/readyz to report 503', async () => (await readyStatus(direct)) === 503);
      await cluster.start();
    })().finally(() => (faultsDone = true));
    try {
      await Promise.all([...sensors, faults]);
    } finally {
      // Whatever failed, the next tests need the server up.
      await faults.catch(() => undefined);
      if (!cluster.running) await cluster.start();
    }

    await waitFor('/readyz to report 200 again', async () => (await readyStatus(direct)) === 200);
    const total = accepted.size;
    assert.deepEqual([...accepted.keys()].sort((a, b) => a - b), Array.from({ length: total }, (_, n) => n), 'every batch sent was taken in the end');
    assert.ok(refused.length > 0, 'the faults reached the sensor');
    t.diagnostic(`${total} batches accepted through 2 restarts and 1 stop; ${refused.length} refusals (503) retried`);
    const counts = await probesBySeq();
    for (let n = 0; n < total; n++) assert.equal(counts.get(n), PER_BATCH, `batch seq-${n} is stored exactly once`);
    const batches = await direct.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches WHERE sensor_id = $1 AND batch_id LIKE $2', [sensor.id, 'seq-%']);
    assert.equal(batches.rows[0]?.n, total);
    for (const outcome of accepted.values()) assert.equal(outcome.accepted, PER_BATCH);
  });

  it('answers a batch whose COMMIT landed but whose answer was lost as a duplicate on retry, stored once', async () => {
    proxy.current = commitCuttingProxy(cluster.port);
    const cut = await startSite(await proxy.current.listen());
    const n = 100;
    proxy.current.state.armed = true;
    const first = await send(cut, `seq-${n}`, batchBody(n));
    assert.equal(proxy.current.state.cut, 1, 'the connection was cut after COMMIT');
    assertClearRefusal(first, `seq-${n}`);
    assert.equal((await probesBySeq()).get(n), PER_BATCH, 'the server had committed the batch');

    const retry = await send(cut, `seq-${n}`, batchBody(n));
    assert.equal(retry.status, 202);
    assert.deepEqual(retry.body, { batch: `seq-${n}`, accepted: PER_BATCH, rejected: 0, errors: [], errorsOmitted: 0, duplicate: true });
    assert.equal((await probesBySeq()).get(n), PER_BATCH, 'the retry stored nothing more');
  });

  it('takes probes a few minutes ahead, refuses those beyond the allowed skew or retention by record and stores the rest', async () => {
    const t = Date.now() / 1000;
    const body = ndjson([
      { ts: t + 240, mac: mac(1), rssi: -60, seq: 200 },
      { ts: t + 900, mac: mac(2), rssi: -60, seq: 200 },
      { ts: t - 31 * 86_400, mac: mac(3), rssi: -60, seq: 200 },
      { ts: t - 600, mac: mac(4), rssi: -60, seq: 200 },
    ]);
    const reply = await send(direct, 'skew-1', body);
    assert.equal(reply.status, 202);
    const outcome = reply.body as Outcome;
    assert.deepEqual([outcome.accepted, outcome.rejected], [2, 2]);
    assert.deepEqual(outcome.errors.map((e) => e.line), [2, 3]);
    assert.match(outcome.errors[0]?.reason ?? '', /900 s ahead of the server's clock \(allowed: 300 s\).*NTP/);
    assert.match(outcome.errors[1]?.reason ?? '', /older than the 30-day retention/);
    assert.equal((await probesBySeq()).get(200), 2);
  });

  it('turns a sensor clock running behind into sessions that neither end before they start nor lie in the future', async () => {
    const behind = await direct.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Slow clock' });
    const t = Math.floor(Date.now() / 1000);
    // Three phones in view for 20 minutes, stamped by a clock 25 minutes slow; a fourth stamped 4 minutes fast.
    const slow = Array.from({ length: 3 * 40 }, (_, i) => ({ ts: t - 25 * 60 - 20 * 60 + (i % 40) * 30, mac: mac(300 + Math.floor(i / 40)), rssi: -48 }));
    const fast = Array.from({ length: 20 }, (_, i) => ({ ts: t + 240 - i * 30, mac: mac(400), rssi: -48 }));
    const reply = await send(direct, 'slow-1', ndjson([...slow, ...fast]), behind.token);
    assert.equal(reply.status, 202);
    assert.equal((reply.body as Outcome).accepted, slow.length + fast.length);

    await direct.services.rollup.rollupVenue(org.orgId, org.venueId);
    const { rows } = await direct.pool.query<{ start: number; end: number; now: number }>(
      'SELECT extract(epoch FROM started_at)::float8 AS start, extract(epoch FROM ended_at)::float8 AS "end", extract(epoch FROM now())::float8 AS now FROM analytics_sessions WHERE venue_id = $1',
      [org.venueId],
    );
    assert.ok(rows.length >= 3, `the slow sensor's visits became sessions (${rows.length})`);
    for (const s of rows) {
      assert.ok(s.end >= s.start, `no negative dwell (${s.start} -> ${s.end})`);
      assert.ok(s.start <= s.now && s.end <= s.now, 'no session starts or ends in the future');
    }
  });
});
