/**
 * Probe parsing throughput, as ratios against a baseline measured in the same run on the same bytes, so
 * the machine's speed cancels out: pcap parsing against reading the file's raw bytes, NDJSON parsing
 * against splitting the same file into lines with readline. The inputs are generated from the committed
 * Fryza excerpt in a temporary directory (BENCH_PROBES probes, default 500,000).
 *   node --import tsx bench/analytics-parse.ts
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readProbeBatches, readProbeRecords } from '../src/analytics/probes/read.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 500_000);
const ROUNDS = 5;
const FIXTURE = fileURLToPath(new URL('../test/fixtures/probes/fryza-sc6-61/position_1_2024-03-14-first300.pcap', import.meta.url));

export interface ParseBenchResult {
  name: string;
  probes: number;
  megabytes: number;
  probesPerSecond: number;
  baselineName: string;
  /** The baseline's rate over the same file, in probes (records, lines) per second. */
  baselinePerSecond: number;
  /** probesPerSecond / baselinePerSecond: the share of the baseline's speed the parser keeps. */
  ratio: number;
}

async function writeAll(out: WriteStream, parts: Iterable<Buffer | string>): Promise<void> {
  for (const part of parts) if (!out.write(part)) await once(out, 'drain');
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** The excerpt's packets over and over, 10 ms apart. */
function* pcapParts(fixture: Buffer): Generator<Buffer> {
  const packets: Buffer[] = [];
  for (let pos = 24; pos < fixture.length; pos += 16 + fixture.readUInt32LE(pos + 8)) packets.push(fixture.subarray(pos, pos + 16 + fixture.readUInt32LE(pos + 8)));
  yield fixture.subarray(0, 24);
  const start = fixture.readUInt32LE(24);
  for (let i = 0; i < PROBES; i += 1) {
    const packet = Buffer.from(packets[i % packets.length] ?? Buffer.alloc(0));
    packet.writeUInt32LE(start + Math.floor(i / 100), 0);
    packet.writeUInt32LE((i % 100) * 10_000, 4);
    yield packet;
  }
}

async function* ndjsonParts(pcap: string): AsyncGenerator<string> {
  const excerpt: string[] = [];
  for await (const record of readProbeRecords(pcap)) if (record.ok && excerpt.length < 300) excerpt.push(JSON.stringify(record.probe));
  let block = '';
  for (let i = 0; i < PROBES; i += 1) {
    block += `${excerpt[i % excerpt.length] ?? ''}\n`;
    if (block.length > 1 << 20) {
      yield block;
      block = '';
    }
  }
  yield block;
}

/** Seconds of the best of ROUNDS runs of each, taken in turns so a busy machine slows both alike. */
async function bestOfBoth(baseline: () => Promise<number>, parse: () => Promise<number>): Promise<{ baseline: number; parse: number; count: number }> {
  const timed = async (run: () => Promise<number>): Promise<[number, number]> => {
    const started = performance.now();
    const count = await run();
    return [(performance.now() - started) / 1000, count];
  };
  const best = { baseline: Number.POSITIVE_INFINITY, parse: Number.POSITIVE_INFINITY, count: 0 };
  for (let round = 0; round < ROUNDS; round += 1) {
    const [baseSeconds] = await timed(baseline);
    const [parseSeconds, count] = await timed(parse);
    best.baseline = Math.min(best.baseline, baseSeconds);
    best.parse = Math.min(best.parse, parseSeconds);
    best.count = count;
  }
  return best;
}

async function countBatches(file: string): Promise<number> {
  let n = 0;
  for await (const batch of readProbeBatches(file)) n += batch.filter((r) => r.ok).length;
  return n;
}

async function countRecords(file: string): Promise<number> {
  let n = 0;
  for await (const record of readProbeRecords(file)) if (record.ok) n += 1;
  return n;
}

async function rawRead(file: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) bytes += (chunk as Buffer).length;
  return bytes;
}

async function readlineLines(file: string): Promise<number> {
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) if (line !== '') lines += 1;
  return lines;
}

async function measure(name: string, file: string, parse: (file: string) => Promise<number>, baselineName: string, baseline: (file: string) => Promise<number>): Promise<ParseBenchResult> {
  const timing = await bestOfBoth(
    () => baseline(file),
    () => parse(file),
  );
  if (timing.count !== PROBES) throw new Error(`${name}: parsed ${timing.count} probes, expected ${PROBES}`);
  const probesPerSecond = PROBES / timing.parse;
  const baselinePerSecond = PROBES / timing.baseline;
  const megabytes = (await stat(file)).size / 1e6;
  return { name, probes: PROBES, megabytes, probesPerSecond, baselineName, baselinePerSecond, ratio: probesPerSecond / baselinePerSecond };
}

/** Parse throughput of pcap and NDJSON, each as a ratio against its baseline on the same bytes. */
export async function benchParse(): Promise<ParseBenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'passby-bench-parse-'));
  try {
    const pcap = join(dir, 'probes.pcap');
    const ndjson = join(dir, 'probes.ndjson');
    await writeAll(createWriteStream(pcap), pcapParts(await readFile(FIXTURE)));
    const lines: string[] = [];
    for await (const part of ndjsonParts(FIXTURE)) lines.push(part);
    await writeAll(createWriteStream(ndjson), lines);
    return [
      await measure('pcap -> probes (batches)', pcap, countBatches, 'raw read of the same file', rawRead),
      await measure('pcap -> probes (one by one)', pcap, countRecords, 'raw read of the same file', rawRead),
      await measure('NDJSON -> probes (batches)', ndjson, countBatches, 'readline over the same file', readlineLines),
      await measure('NDJSON -> probes (one by one)', ndjson, countRecords, 'readline over the same file', readlineLines),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await benchParse();
  console.log(`\nProbe parsing: ${PROBES.toLocaleString('en')} probes per file, best of ${ROUNDS} each, in turns\n`);
  console.log('case'.padEnd(32), 'MB'.padStart(6), 'probes/s'.padStart(11), 'baseline'.padStart(30), 'per s'.padStart(11), 'ratio'.padStart(7));
  for (const r of results) {
    console.log(r.name.padEnd(32), r.megabytes.toFixed(0).padStart(6), r.probesPerSecond.toFixed(0).padStart(11), r.baselineName.padStart(30), r.baselinePerSecond.toFixed(0).padStart(11), r.ratio.toFixed(3).padStart(7));
  }
}
