/**
 * Bad input for the probe readers (issue #7): arbitrary bytes, real captures with bytes flipped, and
 * valid files with one record broken, in every format (NDJSON, JSON array, CSV, pcap, pcapng, gzip).
 * A reader may only fail with its own typed errors, every record it yields must be usable as it is,
 * the way the input is cut into chunks must not change the answer, and one bad record costs only itself.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { readProbeRecordsFromStream, type ProbeRecord } from '../../src/analytics/probes/index.js';
import { isAppError } from '../../src/shared/errors.js';
import { dot11Frame, field, ies, radiotap, writePcap, writePcapng } from '../unit/probes/support/captures.js';
import { FRYZA_CSV, FRYZA_PCAP, FRYZA_PCAPNG } from '../unit/probes/support/paths.js';
import { configureFuzzSeed } from './support/fuzz-seed.js';

configureFuzzSeed();

const RUNS = 150;
const READER_CODES = new Set(['PROBES_UNREADABLE', 'PROBES_FORMAT_UNKNOWN']);
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

interface Outcome {
  records: ProbeRecord[];
  /** The typed error the reader ended with, as `CODE: message`. */
  failure?: string;
}

async function* pieces(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const to = Math.min(bytes.length, cut);
    if (to > at) yield bytes.subarray(at, to);
    at = Math.max(at, to);
  }
  if (at < bytes.length) yield bytes.subarray(at);
  await Promise.resolve();
}

/** Reads `bytes` cut at `cuts`; anything thrown but the readers' own AppErrors fails the property. */
async function read(bytes: Buffer, cuts: number[] = []): Promise<Outcome> {
  const records: ProbeRecord[] = [];
  try {
    for await (const record of readProbeRecordsFromStream(pieces(bytes, cuts), { sensor: 'fuzz' })) records.push(record);
  } catch (error) {
    if (!isAppError(error) || !READER_CODES.has(error.code)) throw error;
    return { records, failure: `${error.code}: ${error.message}` };
  }
  return { records };
}

/** Every yielded probe is one the rest of the system can take without checking again. */
function assertUsable(outcome: Outcome, inputBytes: number, gzipped = false): void {
  for (const record of outcome.records) {
    if (!record.ok) {
      assert.ok(record.error.length > 0, 'a bad record says why');
      assert.ok((record.line !== undefined && Number.isInteger(record.line) && record.line >= 1) || (record.offset !== undefined && record.offset >= 0 && (gzipped || record.offset < inputBytes)), `a bad record says where: ${JSON.stringify(record)}`);
      continue;
    }
    const { probe } = record;
    assert.match(probe.mac, MAC);
    assert.equal(Number.parseInt(probe.mac.slice(0, 2), 16) & 1, 0, 'never a multicast source');
    assert.ok(Number.isFinite(probe.rssi) && probe.rssi >= -120 && probe.rssi <= 0, `rssi ${probe.rssi} in -120..0`);
    assert.ok(Number.isFinite(probe.ts) && probe.ts >= 0 && probe.ts < 1e11, `ts ${probe.ts} is epoch seconds`);
    if (probe.seq !== undefined) assert.ok(Number.isInteger(probe.seq) && probe.seq >= 0 && probe.seq <= 4095, `seq ${probe.seq}`);
    if (probe.channel !== undefined) assert.ok(Number.isInteger(probe.channel) && probe.channel >= 1 && probe.channel <= 255, `channel ${probe.channel}`);
  }
  // Bounded output: no reader invents records out of nothing (a loop would show here first).
  if (!gzipped) assert.ok(outcome.records.length <= inputBytes + 1, `${outcome.records.length} records from ${inputBytes} bytes`);
}

/** The same bytes read whole and cut at random places give the same records and the same failure. */
async function checkBytes(bytes: Buffer, cuts: number[], gzipped = false): Promise<void> {
  const whole = await read(bytes);
  assertUsable(whole, bytes.length, gzipped);
  assert.deepEqual(await read(bytes, cuts), whole, 'chunking changed the result');
}

const cutsArb = fc.array(fc.nat({ max: 4096 }), { maxLength: 8 });

/** Heads that steer random bytes into each reader rather than all into the CSV one. */
const HEADS: Record<string, Buffer> = {
  none: Buffer.alloc(0),
  pcap: writePcap([]),
  pcapBigEndianNs: writePcap([], { littleEndian: false, nanoseconds: true }),
  pcapng: writePcapng([{ blocks: [{ kind: 'interface' }] }]),
  ndjson: Buffer.from('{"ts":1700000000,"mac":"02:00:00:00:00:01","rssi":-50}\n{'),
  jsonArray: Buffer.from('[{"ts":1700000000,"mac":"02:00:00:00:00:01","rssi":-50},'),
  csv: Buffer.from('ts,mac,rssi,seq,channel\n'),
  labCsv: Buffer.from(`${readFileSync(FRYZA_CSV, 'utf8').split('\n')[0] ?? ''}\n`),
};

/** Flips `flips` bytes of `bytes` (position, new value) and may cut the end off. */
function mutate(bytes: Buffer, flips: [number, number][], keep: number): Buffer {
  const copy = Buffer.from(bytes.subarray(0, Math.max(1, Math.floor(bytes.length * keep))));
  for (const [at, value] of flips) copy[at % copy.length] = value;
  return copy;
}
const flipsArb = fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 12 });
const keepArb = fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));

function tally(t: TestContext, counts: Record<string, number>): void {
  t.diagnostic(Object.entries(counts).map(([name, n]) => `${name}: ${n} inputs`).join(', '));
}

describe('probe readers under bad input', () => {
  it(`take arbitrary bytes behind every format's head without an untyped throw, an unusable record or a chunking difference (${RUNS} inputs per head)`, async (t) => {
    const counts: Record<string, number> = {};
    for (const [name, head] of Object.entries(HEADS)) {
      counts[name] = 0;
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), cutsArb, fc.boolean(), async (tail, cuts, gzip) => {
          counts[name] = (counts[name] ?? 0) + 1;
          const plain = Buffer.concat([head, tail]);
          await checkBytes(gzip ? gzipSync(plain) : plain, cuts, gzip);
        }),
        { numRuns: RUNS },
      );
    }
    tally(t, counts);
  });

  it(`survive real captures with bytes flipped and ends cut off (pcap, pcapng, lab CSV; ${RUNS} inputs each)`, async (t) => {
    const counts: Record<string, number> = {};
    for (const path of [FRYZA_PCAP, FRYZA_PCAPNG, FRYZA_CSV]) {
      const original = readFileSync(path);
      const name = path.slice(path.lastIndexOf('.') + 1);
      counts[name] = 0;
      await fc.assert(
        fc.asyncProperty(flipsArb, keepArb, cutsArb, async (flips, keep, cuts) => {
          counts[name] = (counts[name] ?? 0) + 1;
          const damaged = mutate(original, flips, keep);
          await checkBytes(damaged, cuts.map((c) => c * 16));
        }),
        { numRuns: RUNS },
      );
    }
    tally(t, counts);
  });

  it(`take pcapng interface options of any resolution and offset, giving only plausible timestamps (${RUNS * 2} inputs)`, async (t) => {
    let tried = 0;
    const frame = Buffer.concat([radiotap([{ fields: [field.flags(0), field.channel(2437), field.dbmSignal(-60)] }]), dot11Frame({ sa: '02:11:22:33:44:55', seq: 7, ies: ies([[0, 'x']]) })]);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 255 }), fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), async (tsresol, tsoffset, units) => {
        tried += 1;
        const file = writePcapng([{ blocks: [{ kind: 'interface', tsresol, tsoffset: Number(tsoffset) }, { kind: 'enhanced', units, data: frame }] }]);
        await checkBytes(file, []);
      }),
      { numRuns: RUNS * 2 },
    );
    t.diagnostic(`inputs tried: ${tried}`);
  });
});

interface GoodProbe {
  ts: number;
  mac: string;
  rssi: number;
  seq: number;
}

const goodProbe: fc.Arbitrary<GoodProbe> = fc.record({
  ts: fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }),
  // Unicast: the group bit of the first octet is clear.
  mac: fc.tuple(fc.nat({ max: 127 }), fc.uint8Array({ minLength: 5, maxLength: 5 })).map(([first, rest]) => [first * 2, ...rest].map((b) => b.toString(16).padStart(2, '0')).join(':')),
  rssi: fc.integer({ min: -120, max: 0 }),
  seq: fc.nat({ max: 4095 }),
}).map((p) => ({ ...p }));
/** Probes and the index of the one to break; never the first, whose text tells NDJSON from CSV (content detection). */
const batchArb = fc.array(goodProbe, { minLength: 2, maxLength: 30 }).chain((probes) => fc.tuple(fc.constant(probes), fc.integer({ min: 1, max: probes.length - 1 })));

type TextFormat = 'ndjson' | 'json-array' | 'csv';
/** Broken records that leave the file's structure whole: the reader must see the next record. */
const BROKEN: Record<TextFormat, string[]> = {
  ndjson: ['{"ts":1700000000,"mac":"zz","rssi":-50}', '{"ts":1,"mac":"02:00:00:00:00:01","rssi":5}', '{"ts":', 'nope', '[1,2]', '{"ts":-1,"mac":"03:00:00:00:00:01","rssi":null}', '"\\u0000"'],
  'json-array': ['{"ts":"yesterday","mac":"02:00:00:00:00:01","rssi":-50}', '{"ts":1,"mac":12,"rssi":-50,}', 'nope', '[1,{"x":"]"}]', '{"mac":"01:00:5e:00:00:01"}', '"a \\" ] string"'],
  csv: ['1700000000,zz,-50,1', '1700000000,02:00:00:00:00:01,abc,1', '1700000000,02:00:00:00:00:01', '"1700000000","02:00:00:00:00:01","-50","9999"', '-1,02:00:00:00:00:01,-50,1'],
};

function encodeText(format: TextFormat, probes: GoodProbe[], bad: number, broken: string): { text: string; badLine: number } {
  const rows = probes.map((p, i) => {
    if (i === bad) return broken;
    return format === 'csv' ? `${p.ts},${p.mac},${p.rssi},${p.seq}` : JSON.stringify({ ts: p.ts, mac: p.mac, rssi: p.rssi, seq: p.seq });
  });
  if (format === 'ndjson') return { text: rows.join('\n') + '\n', badLine: bad + 1 };
  if (format === 'csv') return { text: `ts,mac,rssi,seq\n${rows.join('\n')}\n`, badLine: bad + 2 };
  return { text: `[\n${rows.join(',\n')}\n]\n`, badLine: bad + 2 };
}

const kept = (records: ProbeRecord[]): GoodProbe[] => records.flatMap((r) => (r.ok ? [{ ts: r.probe.ts, mac: r.probe.mac, rssi: r.probe.rssi, seq: r.probe.seq ?? -1 }] : []));

function pcapFrame(p: GoodProbe, broken?: 'signal' | 'multicast' | 'fcs'): Buffer {
  const flags = broken === 'fcs' ? 0x40 : 0;
  const signal = broken === 'signal' ? 5 : p.rssi;
  const sa = broken === 'multicast' ? `01${p.mac.slice(2)}` : p.mac;
  return Buffer.concat([radiotap([{ fields: [field.flags(flags), field.channel(2412), field.dbmSignal(signal)] }]), dot11Frame({ sa, seq: p.seq, ies: ies([[0, 'guest']]) })]);
}

describe('a valid file with one broken record', () => {
  for (const format of ['ndjson', 'json-array', 'csv'] as const) {
    it(`${format}: keeps every other probe in order and names the broken one by its line (${RUNS} files)`, async (t) => {
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(batchArb, fc.constantFrom(...BROKEN[format]), fc.boolean(), cutsArb, async ([probes, bad], broken, gzip, cuts) => {
          tried += 1;
          const { text, badLine } = encodeText(format, probes, bad, broken);
          const bytes = gzip ? gzipSync(text) : Buffer.from(text);
          const outcome = await read(bytes, cuts);
          assert.equal(outcome.failure, undefined);
          assert.deepEqual(kept(outcome.records), probes.filter((_, i) => i !== bad));
          const bad_ = outcome.records.filter((r) => !r.ok);
          assert.equal(bad_.length, 1, JSON.stringify(bad_));
          assert.equal(bad_[0]?.line, badLine);
        }),
        { numRuns: RUNS },
      );
      t.diagnostic(`inputs tried: ${tried}`);
    });
  }

  for (const container of ['pcap', 'pcapng'] as const) {
    it(`${container}: keeps every other probe in order and names the broken frame by its byte offset (${RUNS} files)`, async (t) => {
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(batchArb, fc.constantFrom<'signal' | 'multicast' | 'fcs'>('signal', 'multicast', 'fcs'), cutsArb, async ([probes, bad], how, cuts) => {
          tried += 1;
          const frames = probes.map((p, i) => pcapFrame(p, i === bad ? how : undefined));
          const file =
            container === 'pcap'
              ? writePcap(frames.map((data, i) => ({ seconds: probes[i]?.ts ?? 0, fraction: 0, data })))
              : writePcapng([{ blocks: [{ kind: 'interface' }, ...frames.map((data, i) => ({ kind: 'enhanced' as const, units: BigInt(probes[i]?.ts ?? 0) * 1_000_000n, data }))] }]);
          const outcome = await read(file, cuts);
          assert.equal(outcome.failure, undefined);
          assert.deepEqual(kept(outcome.records), probes.filter((_, i) => i !== bad));
          const bad_ = outcome.records.filter((r) => !r.ok);
          assert.equal(bad_.length, 1, JSON.stringify(bad_));
          const offset = bad_[0]?.offset ?? -1;
          assert.ok(offset >= 0 && offset < file.length, `offset ${offset}`);
          assertUsable(outcome, file.length);
        }),
        { numRuns: RUNS },
      );
      t.diagnostic(`inputs tried: ${tried}`);
    });
  }
});
