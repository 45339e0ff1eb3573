import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readProbeRecords } from '../../../src/analytics/probes/read.js';
import { runPassby } from '../../helpers/cli.js';
import { collect } from './support/compare.js';
import { FRYZA_CSV, FRYZA_PCAP, FRYZA_PCAPNG } from './support/paths.js';

const lines = (stdout: string): unknown[] =>
  stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);

describe('passby probes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'passby-cli-probes-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints every probe request of a capture as NDJSON in file order, fields in the documented order', async () => {
    const result = await runPassby(['probes', FRYZA_PCAP], {});
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    const printed = lines(result.stdout);
    const parsed = (await collect(readProbeRecords(FRYZA_PCAP))).map((r) => (r.ok ? r.probe : assert.fail(r.error)));
    assert.equal(printed.length, 300);
    assert.deepEqual(printed, parsed);
    assert.match(result.stdout.split('\n')[2]!, /^\{"ts":1710420851\.123259,"mac":"e2:6d:f2:2c:f2:f2","rssi":-63,"seq":359,"ssid":"SSID_56211587","channel":3,"fp":"0,1,50,3,45,127,107,221,221,221\|0017f2,0050f2,001018","ies":"000d/);
  });

  it('reads several files of different formats in order; --sensor fills in the sensor, --timezone reads local times', async () => {
    const gz = join(dir, 'capture.bin');
    await writeFile(gz, gzipSync(await readFile(FRYZA_PCAPNG)));
    const result = await runPassby(['probes', '--sensor', 'lab-1', '--timezone', 'Europe/Prague', FRYZA_CSV, gz], {});
    assert.equal(result.code, 0, result.stderr);
    const printed = lines(result.stdout) as { ts: number; sensor: string; mac: string; rssi: number; ies?: string }[];
    assert.equal(printed.length, 600);
    assert.ok(printed.every((p) => p.sensor === 'lab-1'));
    const [fromCsv, fromPcap] = [printed.slice(0, 300), printed.slice(300)];
    assert.deepEqual(
      fromCsv.map((p) => [p.ts, p.mac, p.rssi]),
      fromPcap.map((p) => [p.ts, p.mac, p.rssi]),
    );
  });

  it('its output reads back as NDJSON to the same output', async () => {
    const first = await runPassby(['probes', FRYZA_PCAP], {});
    const file = join(dir, 'probes.ndjson');
    await writeFile(file, first.stdout);
    const second = await runPassby(['probes', file], {});
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
  });

  it('prints every good probe, reports bad records on stderr with file and line, and exits 1', async () => {
    const file = join(dir, 'mixed.ndjson');
    await writeFile(file, ['{"ts": 1, "mac": "02:00:00:00:00:01", "rssi": -50}', '{"ts": 1700000000000, "mac": "02:00:00:00:00:01", "rssi": -50}', 'nope', '{"ts": 2, "mac": "02:00:00:00:00:02", "rssi": -51, "seq": 4}'].join('\n'));
    const result = await runPassby(['probes', file], {});
    assert.equal(result.code, 1);
    assert.deepEqual(lines(result.stdout), [
      { ts: 1, mac: '02:00:00:00:00:01', rssi: -50 },
      { ts: 2, mac: '02:00:00:00:00:02', rssi: -51, seq: 4 },
    ]);
    assert.equal(result.stderr, `${file}:2: ts looks like milliseconds: give epoch seconds\n${file}:3: not valid JSON\npassby probes: 2 records could not be used\n`);
  });

  it('a damaged capture: the probes before the damage, then where it is; the next file is still read', async () => {
    const pcap = await readFile(FRYZA_PCAP);
    const cut = join(dir, 'cut.pcap');
    await writeFile(cut, pcap.subarray(0, pcap.length - 10));
    const result = await runPassby(['probes', cut, FRYZA_PCAP], {});
    assert.equal(result.code, 1);
    assert.equal(lines(result.stdout).length, 299 + 300);
    assert.match(result.stderr, new RegExp(`^${cut}: packet record 300 is cut short at byte \\d+\\npassby probes: 1 record could not be used\\n$`));
  });

  it('refuses an unknown time zone and a missing file with a clear message', async () => {
    const zone = await runPassby(['probes', '--timezone', 'Nowhere/Land', FRYZA_PCAP], {});
    assert.equal(zone.code, 1);
    assert.equal(zone.stdout, '');
    assert.match(zone.stderr, /unknown time zone "Nowhere\/Land"/);
    const missing = await runPassby(['probes', join(dir, 'absent.pcap')], {});
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read .*absent\.pcap: no such file/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  });
});
