/**
 * Probe ingestion end to end: the real app (as `passby serve` builds it, pool of 10, logging off) on a
 * throwaway database, fed 10k-probe gzip NDJSON batches by several concurrent clients for a fixed time,
 * against a baseline measured in the same run on the same machine: the same rows inserted straight into
 * PostgreSQL with the same `INSERT ... SELECT FROM unnest(...)`, no HTTP, parsing, hashing or checks.
 *   node --import tsx bench/analytics-ingest.ts
 *   BENCH_SECONDS=20 BENCH_CLIENTS=4 BENCH_BATCH=10000 node --import tsx bench/analytics-ingest.ts
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ProbeRows } from '../src/analytics/ingest/probe-rows.js';
import { IngestRepository } from '../src/analytics/ingest/ingest.repository.js';
import { withTransaction, type Db } from '../src/db/pool.js';
import { createRedisFactory } from '../src/queue/connection.js';
import { createTriggers } from '../src/triggers/index.js';
import { buildApp } from '../src/app.js';
import { createMetrics } from '../src/http/metrics.js';
import { createServices } from '../src/services.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { testConfig } from '../test/helpers/context.js';
import { createTestDatabase } from '../test/helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../test/helpers/env.js';
import { newOrg } from '../test/helpers/factories.js';

export interface IngestBenchOptions {
  durationSeconds: number;
  clients: number;
  batchSize: number;
}

export interface Throughput {
  probes: number;
  seconds: number;
  perSecond: number;
}

export interface IngestBenchResult {
  options: IngestBenchOptions;
  http: Throughput & { batches: number; failed: number; compressedBytesPerBatch: number };
  baseline: Throughput;
  /** Rows in `probes` after the HTTP run: must equal the probes the server said it accepted. */
  storedRows: number;
  ratio: number;
}

/** A street's worth of devices: mostly randomised MACs, a few dozen device models, the 2.4 GHz channels. */
function devicePool(size: number): { mac: string; fp: string }[] {
  const models = Array.from({ length: 40 }, (_, i) => `0,1,50,3,45,127,${i % 7 === 0 ? '191,' : ''}221/${(0x0050f2 + i).toString(16).padStart(6, '0')}`);
  return Array.from({ length: size }, (_, i) => {
    const bytes = randomBytes(6);
    bytes[0] = i % 10 === 0 ? (bytes[0] ?? 0) & 0xfc : ((bytes[0] ?? 0) & 0xfc) | 0x02;
    return { mac: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':'), fp: models[i % models.length] ?? '' };
  });
}

function ndjsonBatch(devices: { mac: string; fp: string }[], size: number, startTs: number): string {
  const lines: string[] = [];
  for (let i = 0; i < size; i += 1) {
    const device = devices[Math.floor(Math.random() * devices.length)] ?? { mac: '02:00:00:00:00:01', fp: '' };
    const probe = {
      ts: Math.round((startTs + i * 0.01) * 1e6) / 1e6,
      mac: device.mac,
      rssi: -40 - Math.floor(Math.random() * 55),
      seq: Math.floor(Math.random() * 4096),
      channel: [1, 6, 11][i % 3],
      ssid: i % 20 === 0 ? 'HomeNetwork' : undefined,
      fp: device.fp,
    };
    lines.push(JSON.stringify(probe));
  }
  return `${lines.join('\n')}\n`;
}

async function pushBatches(base: string, tokens: string[], bodies: Buffer[], seconds: number): Promise<IngestBenchResult['http']> {
  let probes = 0;
  let batches = 0;
  let failed = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  const run = randomBytes(4).toString('hex');
  const client = async (token: string, c: number): Promise<void> => {
    for (let n = 0; performance.now() < until; n += 1) {
      const res = await fetch(`${base}/api/v1/ingest/probes`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'gzip', 'Idempotency-Key': `${run}-${c}-${n}` },
        body: bodies[(c + n) % bodies.length],
      });
      const body = (await res.json()) as { accepted?: number; duplicate?: boolean };
      if (res.status !== 202 || body.accepted === undefined || body.duplicate !== false) failed += 1;
      else {
        probes += body.accepted;
        batches += 1;
      }
    }
  };
  await Promise.all(tokens.map(client));
  const elapsed = (performance.now() - started) / 1000;
  return { probes, seconds: elapsed, perSecond: probes / elapsed, batches, failed, compressedBytesPerBatch: bodies[0]?.length ?? 0 };
}

/** The same rows, prepared once, inserted by as many connections for as long: what PostgreSQL alone allows. */
async function baselineInsert(db: Db, orgId: string, sensorIds: string[], batchSize: number, seconds: number): Promise<Throughput> {
  const rows = new ProbeRows();
  const now = Date.now() / 1000;
  for (let i = 0; i < batchSize; i += 1) {
    rows.add({ ts: now - i * 0.01, rssi: -60, seq: i % 4096, channel: 6, randomised: i % 10 !== 0, known: false, deviceKey: randomBytes(16), fpGroup: randomBytes(8) });
  }
  let probes = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    sensorIds.map(async (sensorId) => {
      while (performance.now() < until) {
        await withTransaction(db, (client) => new IngestRepository(client).insertProbes(orgId, sensorId, rows));
        probes += batchSize;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { probes, seconds: elapsed, perSecond: probes / elapsed };
}

export async function benchIngest(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const database = await createTestDatabase();
  const config = testConfig({ NODE_ENV: 'production', DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL });
  const redis = createRedisFactory(TEST_REDIS_URL);
  const services = createServices({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY, analytics: config.analytics });
  const app = buildApp({ config, db: database.pool, redis: redis.create('client'), logger: createLogger('silent'), clock: systemClock, metrics: createMetrics(), secretKey: TEST_SECRET_KEY, services, triggers: createTriggers({ config, db: database.pool, redis: redis.create('client'), clock: systemClock, secretKey: TEST_SECRET_KEY, logger: createLogger('silent') }) });
  const server = createServer(app);
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const org = await newOrg(services, 'Bench');
    const sensors = await Promise.all(Array.from({ length: options.clients }, (_, i) => services.sensors.create(org.orgId, { venueId: org.venueId, name: `Sensor ${i}` })));
    const devices = devicePool(5000);
    const now = Date.now() / 1000 - 120;
    const bodies = Array.from({ length: 8 }, (_, i) => gzipSync(ndjsonBatch(devices, options.batchSize, now + i)));
    // Warm-up: JIT, the pool's connections, the day's salt and partition.
    await pushBatches(base, sensors.map((s) => s.token), bodies, 2);
    await database.pool.query('TRUNCATE probes');
    const http = await pushBatches(base, sensors.map((s) => s.token), bodies, options.durationSeconds);
    const { rows } = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM probes');
    const storedRows = rows[0]?.n ?? 0;
    await database.pool.query('TRUNCATE probes');
    const baseline = await baselineInsert(database.pool, org.orgId, sensors.map((s) => s.sensor.id), options.batchSize, options.durationSeconds);
    return { options, http, baseline, storedRows, ratio: http.perSecond / baseline.perSecond };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await redis.closeAll();
    await database.drop();
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}

export function printIngestBench(result: IngestBenchResult): void {
  const { options, http, baseline } = result;
  console.log(`\nProbe ingestion: ${options.clients} clients, ${options.batchSize}-probe gzip NDJSON batches (${(http.compressedBytesPerBatch / 1024).toFixed(0)} KiB), ${options.durationSeconds} s per case\n`);
  console.log('case'.padEnd(54), 'probes/s'.padStart(10), 'probes'.padStart(10), 'vs base'.padStart(8));
  console.log('POST /api/v1/ingest/probes (HTTP, parse, hash, store)'.padEnd(54), http.perSecond.toFixed(0).padStart(10), String(http.probes).padStart(10), `${result.ratio.toFixed(2)}x`.padStart(8));
  console.log('INSERT ... SELECT unnest, same rows (baseline)'.padEnd(54), baseline.perSecond.toFixed(0).padStart(10), String(baseline.probes).padStart(10), '1.00x'.padStart(8));
  console.log(`\nbatches ${http.batches}, failed ${http.failed}; rows stored ${result.storedRows} of ${http.probes} accepted${result.storedRows === http.probes ? '' : '  MISMATCH'}`);
  if (http.failed > 0 || result.storedRows !== http.probes) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const result = await benchIngest({
    durationSeconds: Number(process.env.BENCH_SECONDS ?? 10),
    clients: Number(process.env.BENCH_CLIENTS ?? 4),
    batchSize: Number(process.env.BENCH_BATCH ?? 10_000),
  });
  printIngestBench(result);
}
