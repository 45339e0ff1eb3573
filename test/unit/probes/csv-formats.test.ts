import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Probe } from '../../../src/analytics/probes/probe.js';
import { readProbeRecords, type ProbeRecord } from '../../../src/analytics/probes/read.js';
import { AppError } from '../../../src/shared/errors.js';
import { dot11Frame, field, radiotap, writePcap } from './support/captures.js';
import { collect } from './support/compare.js';
import { FRYZA_CSV, FRYZA_PCAP, SHARED_FRYZA, sharedMissing, TAN_CHAN_CSV } from './support/paths.js';
import { readText, readTextBytewise, summary } from './support/text.js';
import { tsharkMissing, tsharkProbes } from './support/tshark.js';

const MAC = '02:aa:bb:cc:dd:ee';
const probes = (records: ProbeRecord[]): Probe[] => records.map((r) => (r.ok ? r.probe : assert.fail(`${r.line ?? r.offset}: ${r.error}`)));

describe('CSV with our field names', () => {
  it('reads columns by name in any order, quoted fields, and a quoted field over two lines', async () => {
    const text = [
      'rssi,mac,ts,ssid,seq,unused',
      `-60,${MAC},1700000000.5,"Café, ""Lobby""",12,x`,
      `-61,${MAC},2023-11-14T22:13:20.5Z,"two`,
      `lines",13,`,
      `-62,${MAC},1700000000123,,14,`,
      `-63,${MAC},1700000001`,
    ].join('\r\n');
    const expected = [
      { ts: 1700000000.5, mac: MAC, rssi: -60, seq: 12, ssid: 'Café, "Lobby"' },
      { ts: 1700000000.5, mac: MAC, rssi: -61, seq: 13, ssid: 'two\nlines' },
      'line 5: ts looks like milliseconds: give epoch seconds',
      'line 6: the row has 3 fields but the header names 6',
    ];
    assert.deepEqual(summary(await readText(text)), expected);
    assert.deepEqual(summary(await readTextBytewise(text)), expected);
  });

  it('a quoted field left open to the end of the file', async () => {
    assert.deepEqual(summary(await readText(`ts,mac,rssi,ssid\n1,${MAC},-1,"open\n`)), ['line 2: a quoted field is not closed before the end of the file']);
  });

  it('a header that names no known columns: PROBES_FORMAT_UNKNOWN', async () => {
    await assert.rejects(readText('time,address,signal\n1,2,3\n'), (error: unknown) => error instanceof AppError && error.code === 'PROBES_FORMAT_UNKNOWN');
  });
});

/** The lab CSV's `idx` column: the frame index in the matching pcap. */
async function csvFrameIndexes(file: string): Promise<number[]> {
  const rows = (await readFile(file, 'utf8')).trim().split('\n').slice(1);
  return rows.map((row) => Number(row.split(';')[6]));
}

/** Lab CSV rows against the pcap frames they name: same MAC, rssi, seq, channel, fp, ssid, and time to the microsecond. */
async function assertCsvMatchesPcap(csv: string, pcap: string): Promise<void> {
  const [rows, frames, indexes] = await Promise.all([collect(readProbeRecords(csv, { timeZone: 'Europe/Prague' })), collect(readProbeRecords(pcap)), csvFrameIndexes(csv)]);
  const fromCsv = probes(rows);
  const fromPcap = probes(frames);
  assert.equal(fromCsv.length, indexes.length);
  const differences: string[] = [];
  fromCsv.forEach((row, i) => {
    const frame = fromPcap[indexes[i]!];
    if (frame === undefined) return void differences.push(`row ${i + 2}: no frame ${indexes[i]}`);
    const ours = { ...frame, ts: Math.round(frame.ts * 1e6), ies: undefined };
    const theirs = { ...row, ts: Math.round(row.ts * 1e6), ies: undefined };
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) differences.push(`row ${i + 2}: ${JSON.stringify(theirs)} vs frame ${JSON.stringify(ours)}`);
  });
  assert.deepEqual(differences.slice(0, 10), []);
}

describe('the Fryza lab CSV', () => {
  it('rows agree with the pcap frames their idx names (excerpt)', async () => {
    await assertCsvMatchesPcap(FRYZA_CSV, FRYZA_PCAP);
  });

  it('datetime is local time: read in --timezone, UTC by default', async () => {
    const [prague] = probes(await collect(readProbeRecords(FRYZA_CSV, { timeZone: 'Europe/Prague' })));
    const [utc] = probes(await collect(readProbeRecords(FRYZA_CSV)));
    assert.equal(prague!.ts, 1710420847.533395);
    assert.equal(utc!.ts - prague!.ts, 3600);
  });

  it('names the lab columns in its messages', async () => {
    const text = ['datetime;dst;src;src_vendor;randomized;rssi;idx;seq_num;ch_freq;FCfield;ssid;dot11elt;oui;occupancy', '2024-03-14 13:54:07.5;ff:ff:ff:ff:ff:ff;zz;;1;-43;0;9999;2000;;;[0, x];[5271450];17.0'].join('\n');
    assert.deepEqual(summary(await readText(text)), [
      'line 2: ch_freq must be a Wi-Fi channel frequency in MHz (got 2000); dot11elt must be a list of IE ids like [0, 1, 50, 221]; src must be a MAC address like aa:bb:cc:dd:ee:ff; seq_num must be an integer from 0 to 4095 (got 9999)',
    ]);
  });

  describe('the full shared files', { skip: sharedMissing }, () => {
    for (const day of ['position_1_2024-03-14', 'position_1_2024-03-16']) {
      it(`${day}: every CSV row agrees with its pcap frame`, async () => {
        await assertCsvMatchesPcap(join(SHARED_FRYZA, `${day}.csv`), join(SHARED_FRYZA, `${day}.pcap`));
      });
    }
  });
});

describe('the Tan & Chan association CSV', () => {
  it('one probe per sensor column, ms timestamps, bare MACs, fp from the IE hex', async () => {
    const all = probes(await collect(readProbeRecords(TAN_CHAN_CSV)));
    assert.equal(all.length, 60);
    assert.deepEqual(all[0], {
      ts: 1689749643.556,
      sensor: 'entrance',
      mac: 'b6:ac:9a:a0:d3:d9',
      rssi: -49,
      seq: 1657,
      channel: 36,
      fp: '0,1,45,127,191,255|',
      ies: '000001088c129824b048606c2d1a6f001bff000000000000000000000000000000000000000000007f080000080400000040bf0c3270810ffaff0000faff0000ff1c23010808000080443002001d009f08000c00fefffeff391cc7711c07',
    });
  });

  it('fp from the IE hex is what tshark reads from the same elements in a frame', async () => {
    if (tsharkMissing) throw new Error(tsharkMissing);
    const all = probes(await collect(readProbeRecords(TAN_CHAN_CSV)));
    const dir = await mkdtemp(join(tmpdir(), 'passby-tanchan-'));
    try {
      const file = join(dir, 'ies.pcap');
      const radio = radiotap([{ fields: [field.channel(5180), field.dbmSignal(-50)] }]);
      const frames = all.map((p, i) => ({ seconds: 1_700_000_000 + i, fraction: 0, data: Buffer.concat([radio, dot11Frame({ sa: p.mac, seq: p.seq!, ies: Buffer.from(p.ies!, 'hex') })]) }));
      await writeFile(file, writePcap(frames));
      const theirs = await tsharkProbes(file);
      assert.deepEqual(
        all.map((p) => p.fp),
        theirs.map((t) => t.fp),
      );
      assert.ok(new Set(theirs.map((t) => t.fp)).size > 5, 'several device models, not one fingerprint');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('skips other frame types and sensors that did not hear the frame; a row no sensor heard is reported', async () => {
    const header = 'timestamp,type,radio_band,ch,seq,tx_addr,is_virtual_mac,info_element,rssi_vec_len,rssi@entrance,rssi@till,x,y';
    const text = [header, '1689749643556,BEACON,5,36,1,B6AC9AA0D3D9,True,0000,1,-49,nan,nan,nan', '1689749643556,PROBE_REQUEST,5,36,1,B6AC9AA0D3D9,True,0000,2,nan,-70,nan,nan', '1689749643600,PROBE_REQUEST,5,36,2,B6AC9AA0D3D9,True,0000,0,nan,nan,nan,nan'].join('\n');
    assert.deepEqual(summary(await readText(text)), [{ ts: 1689749643.556, sensor: 'till', mac: 'b6:ac:9a:a0:d3:d9', rssi: -70, seq: 1, channel: 36, fp: '0|', ies: '0000' }, 'line 4: no rssi@<sensor> column has a value']);
  });
});
