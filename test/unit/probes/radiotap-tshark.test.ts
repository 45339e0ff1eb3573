import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertMatchesTshark, recordsOf } from './support/compare.js';
import { dot11Frame, field, ies, radiotap, writePcap } from './support/captures.js';
import { tsharkMissing, tsharkProbes } from './support/tshark.js';

const IES = ies([
  [0, 'café wifi'],
  [1, [0x82, 0x84, 0x8b, 0x96]],
  [50, [0x0c, 0x12]],
  [221, [0x00, 0x50, 0xf2, 0x08, 0x00]],
  [127, [0, 0, 8, 0]],
  [221, [0x50, 0x6f, 0x9a, 0x16, 0x03]],
]);
const probe = (sa = '02:11:22:33:44:55', seq = 100, body = IES, extra: Partial<Parameters<typeof dot11Frame>[0]> = {}): Buffer => dot11Frame({ sa, seq, ies: body, ...extra });
const plain = (mhz = 2437, dbm = -60): Buffer => radiotap([{ fields: [field.flags(0), field.channel(mhz), field.dbmSignal(dbm)] }]);
const vendor = { oui: [0x00, 0x11, 0x22] as [number, number, number], subNamespace: 1, data: [9, 9, 9, 9, 9] };

/** Radiotap layouts a real card writes, and the corners of the spec. */
const FRAMES: [string, Buffer][] = [
  ['flags, channel, dBm signal', Buffer.concat([plain(), probe()])],
  [
    'TSFT (8-byte aligned), FCS at the end, rate, noise, lock quality, antenna',
    Buffer.concat([
      radiotap([{ fields: [field.tsft(), field.flags(0x10), field.rate(), field.channel(2412), field.dbmSignal(-71), field.dbmNoise(-95), field.lockQuality(), field.antenna(1)] }]),
      probe('12:34:56:78:9a:bc', 4095),
      Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    ]),
  ],
  [
    'one radiotap namespace per antenna (extended bitmaps): the first dBm value',
    Buffer.concat([
      radiotap([
        { fields: [field.tsft(), field.flags(0), field.channel(5180), field.dbmSignal(-45)], next: 'radiotap' },
        { fields: [field.dbmSignal(-47), field.antenna(0)], next: 'radiotap' },
        { fields: [field.dbmSignal(-49), field.antenna(1)] },
      ]),
      probe('a4:83:e7:00:00:01', 0),
    ]),
  ],
  [
    'the only dBm value in a later namespace',
    Buffer.concat([radiotap([{ fields: [field.flags(0), field.channel(2462)], next: 'radiotap' }, { fields: [field.dbmSignal(-52), field.antenna(0)] }]), probe()]),
  ],
  [
    'a vendor namespace stepped over by its skip length',
    Buffer.concat([
      radiotap([
        { fields: [field.flags(0), field.channel(2412)], next: 'vendor', vendor },
        { fields: [], bits: 0b101, next: 'radiotap' },
        { fields: [field.dbmSignal(-70), field.antenna(1)] },
      ]),
      probe(),
    ]),
  ],
  [
    'two vendor namespaces in a row',
    Buffer.concat([
      radiotap([
        { fields: [field.tsft()], next: 'vendor', vendor },
        { fields: [], bits: 1, next: 'vendor', vendor: { ...vendor, data: [1, 2, 3] } },
        { fields: [], bits: 1, next: 'radiotap' },
        { fields: [field.flags(0), field.channel(2422), field.dbmSignal(-58)] },
      ]),
      probe(),
    ]),
  ],
  [
    'MCS, A-MPDU, VHT and timestamp fields before a dBm in the next namespace (their alignment decides where it is)',
    Buffer.concat([
      radiotap([
        { fields: [field.flags(0), field.channel(5500), field.rxFlags(), field.mcs(), field.ampdu(), field.vht(), field.timestamp()], next: 'radiotap' },
        { fields: [field.dbmSignal(-66)] },
      ]),
      probe(),
    ]),
  ],
  ['XChannel without Channel', Buffer.concat([radiotap([{ fields: [field.dbmSignal(-50), field.xchannel(5745, 149)] }]), probe()])],
  ['dB signal only: no dBm, unusable', Buffer.concat([radiotap([{ fields: [field.flags(0), field.channel(2437), field.dbSignal(40)] }]), probe()])],
  ['failed FCS check: unusable', Buffer.concat([radiotap([{ fields: [field.flags(0x50), field.channel(2437), field.dbmSignal(-60)] }]), probe(), Buffer.alloc(4)])],
  ['multicast source address: unusable', Buffer.concat([plain(), probe('03:11:22:33:44:55')])],
  ['positive dBm: unusable', Buffer.concat([plain(2437, 5), probe()])],
  ['HT Control field after the header (order flag)', Buffer.concat([plain(), probe(undefined, 7, IES, { htc: true })])],
  ['wildcard SSID and no vendor element', Buffer.concat([plain(), probe(undefined, 9, ies([[0, ''], [1, [2, 4]], [3, [6]]]))])],
  ['the last element cut short (its length runs past the frame)', Buffer.concat([plain(), probe(undefined, 9, Buffer.concat([ies([[0, 'x'], [1, [2]]]), Buffer.from([221, 40, 0, 0x50])]))])],
  ['a cut vendor element that still holds its OUI', Buffer.concat([plain(), probe(undefined, 9, Buffer.concat([ies([[0, 'x']]), Buffer.from([221, 40, 0, 0x50, 0xf2, 1])]))])],
  ['a cut SSID', Buffer.concat([plain(), probe(undefined, 9, Buffer.from([0, 20, 0x61, 0x62]))])],
  ['a lone byte after the last element', Buffer.concat([plain(), probe(undefined, 9, Buffer.concat([ies([[0, 'x']]), Buffer.from([7])]))])],
  ['no elements at all', Buffer.concat([plain(), probe(undefined, 9, Buffer.alloc(0))])],
  ['a beacon is not a probe request', Buffer.concat([plain(), probe(undefined, 1, IES, { subtype: 0x80 })])],
  ...[2412, 2417, 2467, 2472, 2484, 4920, 4980, 5000, 5005, 5180, 5825, 5925, 5955, 6415, 7115, 5930, 60480].map((mhz): [string, Buffer] => [`${mhz} MHz`, Buffer.concat([plain(mhz), probe()])]),
];

describe('radiotap and 802.11 decoding agrees with tshark', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passby-radiotap-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('on hand-built frames covering the radiotap layout rules', async () => {
    if (tsharkMissing) throw new Error(tsharkMissing);
    const file = join(dir, 'radiotap.pcap');
    await writeFile(file, writePcap(FRAMES.map(([, data], i) => ({ seconds: 1_700_000_000 + i, fraction: i * 1111, data }))));
    const [ours, theirs] = await Promise.all([recordsOf(file), tsharkProbes(file)]);
    assert.equal(theirs.length, FRAMES.length - 1, 'tshark sees every frame but the beacon');
    assertMatchesTshark(ours, theirs);
    const bad = ours.flatMap((r) => (r.ok ? [] : [r.error]));
    assert.deepEqual(bad, [
      'frame 9: no dBm antenna signal in the radiotap header',
      'frame 10: probe request failed its FCS check (radiotap flags): its bytes are damaged',
      'frame 11: source address is multicast (first octet bit 0 set): the frame is damaged',
      'frame 12: radiotap dBm antenna signal 5 is outside -120..0',
    ]);
  });

  it('802.11 without radiotap (link type 105): every probe request is reported, none has a signal', async () => {
    if (tsharkMissing) throw new Error(tsharkMissing);
    const file = join(dir, 'plain.pcap');
    await writeFile(file, writePcap([probe(), probe('02:00:00:00:00:01', 5)].map((data, i) => ({ seconds: 1_700_000_000 + i, fraction: 0, data })), { linkType: 105 }));
    const [ours, theirs] = await Promise.all([recordsOf(file), tsharkProbes(file)]);
    assertMatchesTshark(ours, theirs);
    assert.deepEqual(
      ours.map((r) => !r.ok && r.error),
      ['frame 1: no radiotap header, so no signal strength', 'frame 2: no radiotap header, so no signal strength'],
    );
  });
});
