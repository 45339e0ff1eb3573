import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runPassby } from '../../helpers/cli.js';
import { syntheticObservations } from './synthetic.js';

interface Output {
  intervals: Record<string, number>[];
  calibration: Record<string, unknown> & { method: string | null; linear: { a: number; b: number } | null; values: Record<string, string> };
  accuracy: (Record<string, unknown> & { mape: number | null; n: number; inSample: boolean; stages: Record<string, { mape: number | null }> }) | null;
}

const START = 1_710_000_000;

describe('passby analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'passby-analyze-'));
  const door = join(dir, 'door.ndjson');
  const till = join(dir, 'till.ndjson');
  let plain: Output;

  const analyze = async (args: string[]): Promise<Output> => {
    const result = await runPassby(['analyze', ...args], {});
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Output;
  };

  before(async () => {
    // Two sensors' files: the door names its sensor in each record, the till file is named by its file.
    const lines = { door: [] as string[], till: [] as string[] };
    for (const o of syntheticObservations(8000, { seed: 9, start: START, sensors: ['door', 'till'], population: 10 })) {
      const probe = { ts: o.t, mac: o.key, rssi: o.rssi, seq: o.seq, fp: o.group };
      if (o.sensor === 'door') lines.door.push(JSON.stringify({ ...probe, sensor: 'door' }));
      else lines.till.push(JSON.stringify(probe));
    }
    lines.till.splice(5, 0, '{"ts": 1710000000, "mac": "not a mac", "rssi": -50}');
    writeFileSync(door, `${lines.door.join('\n')}\n`);
    writeFileSync(till, `${lines.till.join('\n')}\n`);
    plain = await analyze(['--input', door, '--input', till]);
  });

  it('prints intervals merged from every input, exactly the documented fields', () => {
    assert.deepEqual(Object.keys(plain), ['intervals', 'calibration', 'accuracy']);
    assert.ok(plain.intervals.length >= 10);
    for (const row of plain.intervals) {
      assert.deepEqual(Object.keys(row), ['start', 'end', 'raw_macs', 'devices', 'passersby', 'visitors', 'footfall', 'occupancy']);
      assert.equal(row.end! - row.start!, 300);
      assert.equal(row.start! % 300, 0);
      assert.equal(row.passersby! + row.visitors!, row.devices);
      assert.ok(row.raw_macs! >= row.devices!);
    }
    assert.equal(plain.calibration.method, null);
    assert.deepEqual(plain.calibration.values, { footfall: 'raw', occupancy: 'raw' });
    assert.equal(plain.accuracy, null);
  });

  it('adds the rows of each sensor when asked, the till named after its file', async () => {
    const out = (await analyze(['--input', door, '--input', till, '--by-sensor', '--interval', '600'])) as Output & { sensors: { sensor: string; start: number; devices: number }[] };
    assert.deepEqual([...new Set(out.sensors.map((r) => r.sensor))].sort(), ['door', 'till']);
    assert.equal(out.intervals[0]!.end! - out.intervals[0]!.start!, 600);
  });

  it('calibrates on the counts before --calibrate-until and reports accuracy after it', async () => {
    // Manual counts that are exactly 2 x (estimate - 2.5): a background the linear fit must find, the paper's factor cannot.
    assert.ok(plain.intervals.every((r) => r.footfall! >= 3));
    const truth = plain.intervals.map((r) => `${new Date(r.start! * 1000).toISOString()},${2 * r.footfall! - 5},note`);
    const csv = join(dir, 'truth.csv');
    writeFileSync(csv, `start,people,comment\n${truth.join('\n')}\n`);
    const until = plain.intervals[Math.floor(plain.intervals.length / 2)]!.start!;
    const out = await analyze(['--input', door, '--input', till, '--ground-truth', csv, '--truth-kind', 'footfall', '--calibrate-until', String(until)]);
    assert.equal(out.calibration.method, 'linear', JSON.stringify(out.calibration));
    assert.deepEqual(out.calibration.values, { footfall: 'calibrated', occupancy: 'raw' });
    assert.ok(Math.abs(out.calibration.linear!.a - 2) < 1e-6 && Math.abs(out.calibration.linear!.b + 5) < 1e-6);
    assert.equal(out.accuracy!.n, plain.intervals.filter((r) => r.start! >= until).length);
    assert.equal(out.accuracy!.inSample, false);
    assert.ok(out.accuracy!.mape! < 1e-6, JSON.stringify(out.accuracy));
    assert.deepEqual(Object.keys(out.accuracy!.stages), ['raw', 'filtered', 'linked', 'calibrated']);
    // Uncalibrated, the linked estimate is about half the manual count.
    assert.ok(out.accuracy!.stages.linked!.mape! > 30, JSON.stringify(out.accuracy));
    out.intervals.forEach((row, i) => {
      assert.equal(row.footfall, 2 * plain.intervals[i]!.footfall! - 5);
      assert.equal(row.occupancy, plain.intervals[i]!.occupancy);
    });
  });

  it('refuses a bad manual count with its line number', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, `start,count\n${START},4\n${START + 300},four\n`);
    const result = await runPassby(['analyze', '--input', door, '--ground-truth', csv], {});
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /line 3/);
  });

  it('skips bad records with a warning and fails clearly on a missing file or a bad option', async () => {
    const ok = await runPassby(['analyze', '--input', till], {});
    assert.equal(ok.code, 0);
    assert.match(ok.stderr, /skipped .*till\.ndjson line 6: .*mac/);
    const missing = await runPassby(['analyze', '--input', join(dir, 'nope.pcap')], {});
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.pcap: no such file/);
    const badInterval = await runPassby(['analyze', '--input', door, '--interval', '0'], {});
    assert.notEqual(badInterval.code, 0);
    assert.match(badInterval.stderr, /--interval must be/);
    const badUntil = await runPassby(['analyze', '--input', door, '--calibrate-until', 'soon'], {});
    assert.equal(badUntil.code, 1);
    assert.match(badUntil.stderr, /calibrate-until/);
  });

  it('documents its options in --help', async () => {
    const help = await runPassby(['analyze', '--help'], {});
    assert.equal(help.code, 0);
    for (const option of ['--input', '--interval', '--ground-truth', '--truth-kind', '--calibrate-until', '--timezone', '--alpha', '--beta', '--threshold-method']) {
      assert.match(help.stdout, new RegExp(option));
    }
  });
});
