/**
 * Throughput and memory of the parse-free analytics pipeline (signal filter, static removal,
 * sequence linking, counting) on one core, on synthetic observations of growing size, generated
 * lazily in chunks so the input never sits in memory: heap after a forced GC at each quarter of the
 * input shows whether the pipeline's state stays flat as the input grows. Speed is CPU time of this
 * process (one core: the pipeline is single-threaded and GC inside it is ~1 %), so other load on a
 * shared machine does not count against it; wall-clock speed is shown too. It is also given as a
 * ratio to two baselines timed on the same chunks in the same run, so the machine's speed cancels:
 * a plain loop summing RSSI, and a Set of MACs per interval (the least any MAC counter does).
 *   node --import tsx bench/analytics-pipeline.ts
 *   BENCH_PIPELINE_SIZES=1000000,4000000 BENCH_PIPELINE_POPULATION=200 node --import tsx bench/analytics-pipeline.ts
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import type { Observation } from '../src/analytics/pipeline/observation.js';
import type { PipelineOptionsInput } from '../src/analytics/pipeline/options.js';
import { createPipeline } from '../src/analytics/pipeline/pipeline.js';
import { syntheticObservations, type SyntheticOptions } from '../test/unit/pipeline/synthetic.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

const CHUNK = 65_536;
const MB = 1024 * 1024;

export interface PipelineBenchRow {
  config: string;
  data: string;
  probes: number;
  /** Hours of synthetic time the probes span. */
  hours: number;
  /** Per second of CPU time, and of wall-clock time. */
  probesPerSecond: number;
  probesPerWallSecond: number;
  /** Pipeline time / sum-loop time and / Set-of-MACs time on the same chunks. */
  vsSumLoop: number;
  vsDistinctSet: number;
  /** Heap used after a full GC at 25, 50, 75 and 100% of the input, MB. */
  heapMb: number[];
  rssMb: number;
}

export interface PipelineBenchOptions {
  sizes?: number[];
  population?: number;
  configs?: { name: string; options: PipelineOptionsInput }[];
  data?: { name: string; options: SyntheticOptions }[];
}

const CONFIGS = [
  { name: 'live (static lookahead 0)', options: { static: { lookaheadSeconds: 0 } } },
  { name: 'analyze (defaults, 3 h lookahead)', options: {} },
];

const DATA = [
  { name: '~7 probes/MAC', options: {} },
  { name: '~2.4 probes/MAC (churn)', options: { burst: [1, 3], rotateEvery: [1, 1] } as SyntheticOptions },
];

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

function sumLoop(chunk: readonly Observation[]): number {
  let sum = 0;
  for (const obs of chunk) sum += obs.rssi;
  return sum;
}

/** The least a MAC counter does: a set of MACs per interval, its size when the interval ends. */
function distinctSet(chunk: readonly Observation[], state: { set: Set<string>; interval: number; total: number }): void {
  for (const obs of chunk) {
    const interval = Math.floor(obs.t / 300);
    if (interval !== state.interval) {
      state.total += state.set.size;
      state.set.clear();
      state.interval = interval;
    }
    state.set.add(obs.key);
  }
}

async function runOne(size: number, config: { name: string; options: PipelineOptionsInput }, data: { name: string; options: SyntheticOptions }, population: number): Promise<PipelineBenchRow> {
  gc();
  const pipeline = createPipeline(config.options);
  const source = syntheticObservations(size, { seed: 42, population, ...data.options });
  const chunk: Observation[] = [];
  const set = { set: new Set<string>(), interval: 0, total: 0 };
  let pipelineMs = 0;
  let pipelineWallMs = 0;
  let sumMs = 0;
  let setMs = 0;
  let done = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  let sink = 0;
  const heapMb: number[] = [];
  let nextCheckpoint = size / 4;
  for (;;) {
    chunk.length = 0;
    for (let next = source.next(); !next.done; next = chunk.length < CHUNK ? source.next() : { done: true, value: undefined }) chunk.push(next.value);
    if (chunk.length === 0) break;
    // The generator's garbage is collected before the clock starts: GC in the timings is the pipeline's own.
    gc({ type: 'minor' });
    if (Number.isNaN(first)) first = chunk[0]?.t ?? Number.NaN;
    last = chunk[chunk.length - 1]?.t ?? last;
    let started = process.cpuUsage();
    sink += sumLoop(chunk);
    sumMs += cpuMs(started);
    started = process.cpuUsage();
    distinctSet(chunk, set);
    setMs += cpuMs(started);
    started = process.cpuUsage();
    const wall = performance.now();
    for (const obs of chunk) pipeline.push(obs);
    sink += pipeline.drain().rows.length;
    pipelineMs += cpuMs(started);
    pipelineWallMs += performance.now() - wall;
    done += chunk.length;
    if (done >= nextCheckpoint) {
      gc();
      heapMb.push(process.memoryUsage().heapUsed / MB);
      nextCheckpoint += size / 4;
    }
    // Let a timer or signal through between chunks, as a service would.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const started = process.cpuUsage();
  const wall = performance.now();
  pipeline.flush();
  sink += pipeline.drain().rows.length;
  pipelineMs += cpuMs(started);
  pipelineWallMs += performance.now() - wall;
  if (sink === Number.MIN_SAFE_INTEGER) process.stdout.write('');
  return {
    config: config.name,
    data: data.name,
    probes: done,
    hours: (last - first) / 3600,
    probesPerSecond: done / (pipelineMs / 1000),
    probesPerWallSecond: done / (pipelineWallMs / 1000),
    vsSumLoop: pipelineMs / sumMs,
    vsDistinctSet: pipelineMs / setMs,
    heapMb,
    rssMb: process.memoryUsage().rss / MB,
  };
}

export async function benchPipeline(options: PipelineBenchOptions = {}): Promise<PipelineBenchRow[]> {
  const sizes = options.sizes ?? [1_000_000, 4_000_000];
  const population = options.population ?? 200;
  const rows: PipelineBenchRow[] = [];
  for (const data of options.data ?? DATA) {
    for (const config of options.configs ?? CONFIGS) {
      for (const size of sizes) rows.push(await runOne(size, config, data, population));
    }
  }
  return rows;
}

function printTable(rows: PipelineBenchRow[]): void {
  const line = (cells: string[]): void => void process.stdout.write(`${cells.join(' | ')}\n`);
  line(['data', 'config', 'probes', 'hours', 'probes/s (CPU)', 'probes/s (wall)', 'x sum loop', 'x Set of MACs', 'heap MB at 25/50/75/100%', 'RSS MB']);
  for (const r of rows) {
    line([
      r.data,
      r.config,
      r.probes.toLocaleString('en'),
      r.hours.toFixed(1),
      Math.round(r.probesPerSecond).toLocaleString('en'),
      Math.round(r.probesPerWallSecond).toLocaleString('en'),
      r.vsSumLoop.toFixed(0),
      r.vsDistinctSet.toFixed(1),
      r.heapMb.map((m) => m.toFixed(0)).join('/'),
      r.rssMb.toFixed(0),
    ]);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = process.env.BENCH_PIPELINE_SIZES?.split(',').map(Number);
  const population = process.env.BENCH_PIPELINE_POPULATION === undefined ? undefined : Number(process.env.BENCH_PIPELINE_POPULATION);
  printTable(await benchPipeline({ ...(sizes ? { sizes } : {}), ...(population === undefined ? {} : { population }) }));
}
