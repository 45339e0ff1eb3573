import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readProbeRecords, type ProbeRecord } from '../../../src/analytics/probes/read.js';
import { AppError } from '../../../src/shared/errors.js';
import { assertMatchesTshark, collect } from './support/compare.js';
import { dot11Frame, field, ies, radiotap, readPcapPackets, writePcap, writePcapng } from './support/captures.js';
import { FRYZA_PCAP, FRYZA_PCAPNG } from './support/paths.js';
import { tsharkMissing, tsharkProbes } from './support/tshark.js';

/** The records read before the file failed, and the failure. */
async function readUntilFailure(file: string): Promise<{ records: ProbeRecord[]; error: unknown }> {
  const records: ProbeRecord[] = [];
  try {
    for await (const record of readProbeRecords(file)) records.push(record);
  } catch (error) {
    return { records, error };
  }
  return { records, error: undefined };
}

function assertUnreadable(error: unknown, message: RegExp, offset: number, format: string): void {
  assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
  assert.equal(error.code, 'PROBES_UNREADABLE');
  assert.match(error.message, message);
  assert.deepEqual(error.details, { offset, format });
  assert.ok(error.message.endsWith(`at byte ${offset}`));
}

/** Byte offsets where each pcap record starts. */
function recordOffsets(file: Buffer): number[] {
  const offsets: number[] = [];
  for (let pos = 24; pos < file.length; pos += 16 + file.readUInt32LE(pos + 8)) offsets.push(pos);
  return offsets;
}

describe('damaged captures', () => {
  let dir: string;
  let pcap: Buffer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passby-corrupt-'));
    pcap = await readFile(FRYZA_PCAP);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const save = async (name: string, bytes: Buffer): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, bytes);
    return file;
  };

  it('a pcap cut inside a packet: the probes before it (as tshark reads them), then PROBES_UNREADABLE with the offset', async () => {
    if (tsharkMissing) throw new Error(tsharkMissing);
    const at = recordOffsets(pcap)[100]!;
    const file = await save('cut.pcap', pcap.subarray(0, at + 16 + 30));
    const { records, error } = await readUntilFailure(file);
    assertUnreadable(error, /^packet record 101 is cut short at byte/, at, 'pcap');
    assertMatchesTshark(records, await tsharkProbes(file));
    assert.equal(records.length, 100);
  });

  it('a pcap cut inside a record header, and inside the file header', async () => {
    const at = recordOffsets(pcap)[42]!;
    const cut = await readUntilFailure(await save('cut-header.pcap', pcap.subarray(0, at + 5)));
    assertUnreadable(cut.error, /^packet record 43 is cut short/, at, 'pcap');
    assert.equal(cut.records.length, 42);
    const stub = await readUntilFailure(await save('stub.pcap', pcap.subarray(0, 13)));
    assertUnreadable(stub.error, /^file ends inside the pcap file header/, 0, 'pcap');
    assert.equal(stub.records.length, 0);
  });

  it('a pcap record claiming an impossible length', async () => {
    const damaged = Buffer.from(pcap);
    const at = recordOffsets(pcap)[50]!;
    damaged.writeUInt32LE(0x7fffffff, at + 8);
    const { records, error } = await readUntilFailure(await save('huge.pcap', damaged));
    assertUnreadable(error, /^packet record 51 claims 2147483647 bytes/, at, 'pcap');
    assert.equal(records.length, 50);
  });

  it('a pcapng cut inside a block, with a bad block length, a mismatched trailer, an unknown interface', async () => {
    const ng = await readFile(FRYZA_PCAPNG);
    const blocks: number[] = [];
    for (let pos = 0; pos < ng.length; pos += ng.readUInt32LE(pos + 4)) blocks.push(pos);
    const firstPacket = blocks.findIndex((pos) => ng.readUInt32LE(pos) === 6);
    const at = blocks[firstPacket + 10]!;

    const cut = await readUntilFailure(await save('cut.pcapng', ng.subarray(0, at + 20)));
    assertUnreadable(cut.error, /^the last block is cut short/, at, 'pcapng');
    assert.equal(cut.records.length, 10);

    const odd = Buffer.from(ng);
    odd.writeUInt32LE(ng.readUInt32LE(at + 4) + 2, at + 4);
    assertUnreadable((await readUntilFailure(await save('odd.pcapng', odd))).error, /^block length \d+ is not valid/, at, 'pcapng');

    const trailer = Buffer.from(ng);
    const length = ng.readUInt32LE(at + 4);
    trailer.writeUInt32LE(length + 4, at + length - 4);
    const mismatch = await readUntilFailure(await save('trailer.pcapng', trailer));
    assertUnreadable(mismatch.error, /does not match its trailing copy/, at, 'pcapng');
    assert.equal(mismatch.records.length, 10);

    const stray = Buffer.from(ng);
    stray.writeUInt32LE(5, at + 8);
    assertUnreadable((await readUntilFailure(await save('iface.pcapng', stray))).error, /^packet block names interface 5, but its section describes 1/, at, 'pcapng');
  });

  it('a pcapng section header with no byte-order magic', async () => {
    const ng = Buffer.from(await readFile(FRYZA_PCAPNG));
    const second = Buffer.concat([ng, ng]);
    second.writeUInt32LE(0x12345678, ng.length + 8);
    const { records, error } = await readUntilFailure(await save('bom.pcapng', second));
    assertUnreadable(error, /^section header has no valid byte-order magic/, ng.length, 'pcapng');
    assert.equal(records.length, 300);
  });

  it('gzip: read transparently; cut short or damaged it fails after what it could read', async () => {
    const plain = await collect(readProbeRecords(FRYZA_PCAP));
    const zipped = gzipSync(pcap);
    assert.deepEqual(await collect(readProbeRecords(await save('whole.pcap.gz', zipped))), plain);
    assert.deepEqual(await collect(readProbeRecords(await save('ng.gz', gzipSync(await readFile(FRYZA_PCAPNG))))), plain);

    const cut = await readUntilFailure(await save('cut.pcap.gz', zipped.subarray(0, Math.floor(zipped.length / 2))));
    assert.ok(cut.error instanceof AppError && cut.error.code === 'PROBES_UNREADABLE' && /^gzip data is cut short at byte \d+$/.test(cut.error.message), String(cut.error));
    assert.ok(cut.records.length > 0 && cut.records.length < 300);
    assert.deepEqual(cut.records, plain.slice(0, cut.records.length));

    const garbled = Buffer.from(zipped);
    garbled.fill(0x55, 400, 600);
    const damaged = await readUntilFailure(await save('garbled.pcap.gz', garbled));
    assert.ok(damaged.error instanceof AppError && /^gzip data is damaged/.test(damaged.error.message), String(damaged.error));
  });

  it('a packet with a broken radiotap header is one bad record; the file goes on', async () => {
    const packets = readPcapPackets(pcap).slice(0, 3);
    const broken = Buffer.from(packets[1]!.data);
    broken.writeUInt16LE(broken.length + 10, 2);
    const file = await save('radiotap.pcap', writePcap([packets[0]!, { ...packets[1]!, data: broken }, packets[2]!]));
    const records = await collect(readProbeRecords(file));
    assert.deepEqual(
      records.map((r) => (r.ok ? 'ok' : r)),
      ['ok', { ok: false, error: `frame 2: radiotap length ${broken.length + 10} does not fit the ${broken.length}-byte packet`, offset: 24 + 16 + packets[0]!.data.length }, 'ok'],
    );
  });

  it('a probe request in a simple packet block has no timestamp: a bad record', async () => {
    const frame = Buffer.concat([radiotap([{ fields: [field.channel(2412), field.dbmSignal(-50)] }]), dot11Frame({ sa: '02:00:00:00:00:02', seq: 1, ies: ies([[0, '']]) })]);
    const file = await save('spb.pcapng', writePcapng([{ blocks: [{ kind: 'interface' }, { kind: 'simple', data: frame }, { kind: 'enhanced', units: 1_700_000_000_000_000n, data: frame }] }]));
    const records = await collect(readProbeRecords(file));
    assert.deepEqual(records[0], { ok: false, error: 'frame 1: simple packet block carries no timestamp', offset: 48 });
    assert.ok(records[1]?.ok && records[1].probe.ts === 1_700_000_000);
  });

  it('a capture of something other than 802.11, and bytes of no known format: PROBES_FORMAT_UNKNOWN', async () => {
    const ethernet = await readUntilFailure(await save('eth.pcap', writePcap([], { linkType: 1 })));
    assert.ok(ethernet.error instanceof AppError && ethernet.error.code === 'PROBES_FORMAT_UNKNOWN', String(ethernet.error));
    assert.match(ethernet.error.message, /link type 1 holds no 802.11 frames/);
    const noise = await readUntilFailure(await save('noise.bin', Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 10])));
    assert.ok(noise.error instanceof AppError && noise.error.code === 'PROBES_FORMAT_UNKNOWN', String(noise.error));
  });
});
