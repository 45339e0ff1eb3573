/**
 * Foundation benchmark: what authentication + a tenant-scoped query cost per
 * request, as a ratio against /healthz measured in the same run on the same
 * app (so machine speed cancels out). Uses a throwaway database and the real
 * PostgreSQL/Redis (TEST_DATABASE_URL / TEST_REDIS_URL as for the tests).
 *   npm run bench              (defaults: 5 s per case, 16 connections)
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 npm run bench
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestContext } from '../test/helpers/context.js';
import { newOrg } from '../test/helpers/factories.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface Result {
  name: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function load(name: string, url: string, headers: Record<string, string>): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + SECONDS * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      const started = performance.now();
      const res = await fetch(url, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) errors += 1;
      latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  latencies.sort((a, b) => a - b);
  return { name, requests: latencies.length, perSecond: latencies.length / SECONDS, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

const ctx = await createTestContext();
const server = createServer(ctx.app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
try {
  const org = await newOrg(ctx.services, 'Bench');
  for (let i = 0; i < 20; i += 1) await ctx.services.venues.create(org.orgId, { name: `Venue ${i}`, timezone: 'Europe/London' });
  const auth = { Authorization: `Bearer ${org.apiKey}` };
  await load('warm-up', `${base}/api/v1/venues`, auth);
  const baseline = await load('GET /healthz (baseline)', `${base}/healthz`, {});
  const venues = await load('GET /api/v1/venues (key + 21 venues)', `${base}/api/v1/venues`, auth);
  const venue = await load('GET /api/v1/venues/:id', `${base}/api/v1/venues/${org.venueId}`, auth);
  console.log(`\n${SECONDS} s per case, ${CONNECTIONS} connections, one process\n`);
  console.log('case'.padEnd(42), 'req/s'.padStart(8), 'vs base'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'errors'.padStart(7));
  for (const r of [baseline, venues, venue]) {
    console.log(
      r.name.padEnd(42),
      r.perSecond.toFixed(0).padStart(8),
      `${(r.perSecond / baseline.perSecond).toFixed(2)}x`.padStart(8),
      r.p50.toFixed(2).padStart(8),
      r.p99.toFixed(2).padStart(8),
      String(r.errors).padStart(7),
    );
  }
} finally {
  server.close();
  await ctx.close();
}
