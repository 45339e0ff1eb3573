import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertMatchesTshark, recordsOf } from './support/compare.js';
import { readPcapPackets, writePcap, writePcapng, type PcapngBlock } from './support/captures.js';
import { FRYZA_PCAP, FRYZA_PCAPNG, SHARED_FRYZA, sharedFryzaPcaps, sharedMissing } from './support/paths.js';
import { tsharkMissing, tsharkProbes } from './support/tshark.js';

/** Our parser and tshark on the same file must agree on every probe request. */
async function assertAgreesWithTshark(file: string, chunkBytes?: number): Promise<void> {
  if (tsharkMissing) throw new Error(tsharkMissing);
  const [ours, theirs] = await Promise.all([recordsOf(file, chunkBytes), tsharkProbes(file)]);
  assertMatchesTshark(ours, theirs);
}

describe('pcap and pcapng parsers agree with tshark on every probe', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passby-probes-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const variant = async (name: string, bytes: Buffer): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, bytes);
    return file;
  };

  it('the committed Fryza excerpt (little-endian µs pcap), whole and in 7-byte chunks', async () => {
    await assertAgreesWithTshark(FRYZA_PCAP);
    await assertAgreesWithTshark(FRYZA_PCAP, 7);
  });

  it('the same frames as pcapng (editcap -F pcapng)', async () => {
    await assertAgreesWithTshark(FRYZA_PCAPNG);
    await assertAgreesWithTshark(FRYZA_PCAPNG, 5);
  });

  it('big-endian and nanosecond pcap files', async () => {
    const packets = readPcapPackets(await readFile(FRYZA_PCAP));
    const nanos = packets.map((p) => ({ ...p, fraction: p.fraction * 1000 + 123 }));
    await assertAgreesWithTshark(await variant('be.pcap', writePcap(packets, { littleEndian: false })));
    await assertAgreesWithTshark(await variant('ns.pcap', writePcap(nanos, { nanoseconds: true })));
    await assertAgreesWithTshark(await variant('be-ns.pcap', writePcap(nanos, { littleEndian: false, nanoseconds: true })));
  });

  it('pcapng with sections of both byte orders, if_tsresol, if_tsoffset, obsolete packet blocks and unknown blocks', async () => {
    const packets = readPcapPackets(await readFile(FRYZA_PCAP)).slice(0, 60);
    const units = (p: (typeof packets)[number], perSecond: bigint): bigint => BigInt(p.seconds) * perSecond + (BigInt(p.fraction) * perSecond) / 1_000_000n;
    const first: PcapngBlock[] = [
      { kind: 'interface', tsresol: 9, tsoffset: -3600 },
      { kind: 'interface', linkType: 1 },
      { kind: 'other', type: 4, body: Buffer.from([0, 0, 0, 0]) },
      ...packets.slice(0, 20).map((p, i): PcapngBlock => (i % 3 === 2 ? { kind: 'obsolete', units: units(p, 1_000_000_000n), data: p.data } : { kind: 'enhanced', units: units(p, 1_000_000_000n), data: p.data })),
      { kind: 'enhanced', interfaceId: 1, units: 0n, data: Buffer.alloc(60, 0x40) },
      { kind: 'other', type: 0x40000bad, body: Buffer.alloc(37, 7) },
    ];
    const second: PcapngBlock[] = [
      { kind: 'other', type: 5, body: Buffer.alloc(12) },
      { kind: 'interface', tsresol: 0x80 | 16 },
      { kind: 'interface', tsresol: 3 },
      ...packets.slice(20, 40).map((p): PcapngBlock => ({ kind: 'enhanced', units: BigInt(p.seconds) * 65536n + BigInt(p.fraction % 64) * 1024n, data: p.data })),
      ...packets.slice(40).map((p): PcapngBlock => ({ kind: 'enhanced', interfaceId: 1, units: units(p, 1000n), data: p.data })),
    ];
    const file = await variant('sections.pcapng', writePcapng([{ littleEndian: false, blocks: first }, { blocks: second }]));
    await assertAgreesWithTshark(file);
    await assertAgreesWithTshark(file, 3);
  });

  describe('the full shared captures', { skip: sharedMissing }, () => {
    for (const name of sharedFryzaPcaps) {
      it(`${name}: every probe request`, async () => {
        await assertAgreesWithTshark(join(SHARED_FRYZA, name));
      });
    }
  });
});
