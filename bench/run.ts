/**
 * `npm run bench`: speed as ratios measured in the same run on the same machine, so its speed cancels out.
 * Uses throwaway databases and the real PostgreSQL/Redis (TEST_DATABASE_URL / TEST_REDIS_URL as for the tests).
 * 1. API: what authentication + a tenant-scoped query cost per request against /healthz on the same app,
 *    loaded from inside this process.
 * 2. Landing: our openNDS landing page against /healthz and against openNDS's own built-in splash page
 *    (the real openNDS 9.10 in network namespaces: root and the lab's packages), both loaded by wrk, a
 *    second process, with the same settings.
 * 3. Analytics, each in a process of its own (so memory figures are its own): probe parsing, the
 *    counting pipeline (probes/s on one core, memory as input grows), HTTP ingestion into PostgreSQL,
 *    presence-event latency; each against a baseline measured in the same run.
 * 4. Triggers, in a process of its own: event (POST /api/v1/events) -> signed webhook received, with 500
 *    active rules: p50/p99 at an offered 1,000 events/s and the maximum sustained rate, against a bare
 *    BullMQ add -> run measured in the same run.
 *   npm run bench              (everything; defaults: 5 s per case, 16 connections)
 *   npm run bench -- portal    (or: analytics, parse, pipeline, ingest, presence, triggers)
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 npm run bench
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { skipReason } from '../test/e2e/support/opennds-lab.js';
import { createTestContext } from '../test/helpers/context.js';
import { newOrg } from '../test/helpers/factories.js';
import { measureOpenndsSplash, type WrkResult } from './opennds-splash.js';
import { measurePortalLanding } from './portal-landing.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** One wrk thread: on a small machine a second one only takes CPU from the server being measured. */
const WRK_THREADS = 1;
/** openNDS's web server accepts at most 100 connections. */
const OPENNDS_MAX_CONNECTIONS = 90;

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

async function benchApi(): Promise<void> {
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
    console.log(`\nAPI: ${SECONDS} s per case, ${CONNECTIONS} connections, one process\n`);
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
    rmSync(ctx.config.dataDir, { recursive: true, force: true });
  }
}

const onPath = (bin: string): boolean => (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, bin)));
/** Anything but a 2xx carrying the expected page, plus connections wrk lost. */
const failures = (r: WrkResult): number => r.non2xx + r.unmarked + Object.values(r.socketErrors).reduce((sum, n) => sum + n, 0);
/** Two significant digits: 66x, 0.23x, 0.021x. */
const ratio = (value: number): string => `${Number(value.toPrecision(2))}x`;

function printLanding(rows: [string, WrkResult | string][], landing: WrkResult, healthz: WrkResult, splash: WrkResult | undefined): void {
  console.log('case'.padEnd(42), 'req/s'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'requests'.padStart(9), 'failed'.padStart(7));
  for (const [name, r] of rows) {
    if (typeof r === 'string') console.log(name.padEnd(42), r);
    else console.log(name.padEnd(42), r.requestsPerSecond.toFixed(1).padStart(8), r.p50Ms.toFixed(2).padStart(8), r.p99Ms.toFixed(2).padStart(8), String(r.requests).padStart(9), String(failures(r)).padStart(7));
  }
  const line = (name: string, base: WrkResult | undefined): void => {
    if (base === undefined) console.log(`  ${name.padEnd(30)} n/a (no openNDS figure)`);
    else console.log(`  ${name.padEnd(30)} req/s ${ratio(landing.requestsPerSecond / base.requestsPerSecond).padStart(7)}   p99 ${ratio(landing.p99Ms / base.p99Ms).padStart(7)}`);
  };
  console.log('\nratios (req/s above 1x: we serve more; p99 below 1x: we answer sooner)');
  line('landing / openNDS splash', splash);
  line('landing / healthz', healthz);
}

async function benchLanding(): Promise<void> {
  const openndsConnections = Math.min(CONNECTIONS, OPENNDS_MAX_CONNECTIONS);
  console.log(`\nLanding vs openNDS's built-in splash: wrk (second process), ${WRK_THREADS} thread, ${CONNECTIONS} connections, ${SECONDS} s per case`);
  if (!onPath('wrk')) {
    console.log('skipped: the landing and openNDS splash benchmark: wrk is not installed (apt-get install wrk)');
    return;
  }
  const { healthz, landing, clients } = await measurePortalLanding({ durationSeconds: SECONDS, connections: CONNECTIONS, threads: WRK_THREADS });
  let splash: WrkResult | string;
  const labMissing = skipReason();
  if (labMissing !== undefined) {
    splash = 'skipped';
    console.log(`skipped: openNDS splash: ${labMissing}`);
  } else {
    try {
      if (openndsConnections !== CONNECTIONS) console.log(`note: openNDS gets ${openndsConnections} connections (its limit is 100), our rows ${CONNECTIONS}: not like for like`);
      splash = await measureOpenndsSplash({ durationSeconds: SECONDS, connections: openndsConnections, threads: WRK_THREADS });
    } catch (error) {
      splash = 'FAILED';
      console.log(`FAILED: openNDS splash: ${(error as Error).message}`);
      process.exitCode = 1;
    }
  }
  console.log('healthz, landing: wrk -> 127.0.0.1 (loopback); openNDS: wrk in the lab client netns -> gateway netns (veth)\n');
  printLanding(
    [
      ['GET /healthz (baseline)', healthz],
      [`GET /portal/opennds/:id (${clients} visitors)`, landing],
      ['openNDS 9.10 built-in splash page', splash],
    ],
    landing,
    healthz,
    typeof splash === 'string' ? undefined : splash,
  );
}

const ANALYTICS: Record<string, string> = {
  parse: 'analytics-parse.ts',
  pipeline: 'analytics-pipeline.ts',
  ingest: 'analytics-ingest.ts',
  presence: 'presence-latency.ts',
};

const CHILD_BENCHES: Record<string, string> = { ...ANALYTICS, triggers: 'triggers-latency.ts' };

/** One bench in a child process; a failing one is reported and the others still run. */
function benchChild(name: string): void {
  const file = join(import.meta.dirname, CHILD_BENCHES[name] ?? '');
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.log(`FAILED: ${name} bench exited with ${String(result.status ?? result.signal)}`);
    process.exitCode = 1;
  }
}

const wanted = new Set(process.argv.slice(2));
const selected = (...names: string[]): boolean => wanted.size === 0 || names.some((n) => wanted.has(n));
if (selected('portal', 'api')) await benchApi();
if (selected('portal', 'landing')) await benchLanding();
for (const name of Object.keys(ANALYTICS)) if (selected('analytics', name)) benchChild(name);
if (selected('triggers')) benchChild('triggers');
