import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readProbeRecords } from '../../../src/analytics/probes/index.js';
import { SIMULATION_FILES, writeSimulation } from '../../../src/analytics/simulator/index.js';
import { runPassby } from '../../helpers/cli.js';

const ARGS = ['--start', '2025-03-13T12:00:00Z', '--hours', '0.5', '--seed', '4', '--interval', '60'];
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'passby-sim-'));
  dirs.push(dir);
  return dir;
};

describe('passby simulate', () => {
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('writes the probes, the truth files and scenario.json, the same bytes as in-process', async () => {
    const dir = tempDir();
    const result = await runPassby(['simulate', '--out', join(dir, 'cli'), ...ARGS], {});
    assert.equal(result.code, 0, result.stderr);
    const summary = /(\d+) people, (\d+) devices, (\d+) addresses, (\d+) probes -> /.exec(result.stdout);
    assert.ok(summary, result.stdout);

    const lines = readFileSync(join(dir, 'cli', 'probes.ndjson'), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, Number(summary[4]));
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(first), ['ts', 'sensor', 'mac', 'rssi', 'seq', 'ssid', 'channel', 'fp', 'ies']);
    assert.equal(first.sensor, 'shop-door');

    // The project's own probe reader takes the file as it is, every line.
    let read = 0;
    for await (const record of readProbeRecords(join(dir, 'cli', 'probes.ndjson'))) {
      if (!record.ok) assert.fail(`line ${String(record.line)}: ${record.error}`);
      const written = JSON.parse(lines[read]!) as Record<string, unknown>;
      for (const key of ['ts', 'sensor', 'mac', 'rssi', 'seq', 'channel', 'fp'] as const) assert.equal(record.probe[key], written[key], key);
      read += 1;
    }
    assert.equal(read, lines.length);

    const devices = readFileSync(join(dir, 'cli', 'truth-devices.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(devices[0], 'mac,person,role,device,model,randomised,rotation,first_seen');
    assert.equal(devices.length - 1, Number(summary[3]));
    const footfall = readFileSync(join(dir, 'cli', 'truth-footfall.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(footfall[0], 'interval_start,footfall,visitors,staff,pavement');
    assert.equal(footfall.length, 31);
    assert.equal(footfall[1]!.split(',')[0], String(Date.parse('2025-03-13T12:00:00Z') / 1000));
    const scenario = JSON.parse(readFileSync(join(dir, 'cli', 'scenario.json'), 'utf8')) as { options: { seed: number; interval: number } };
    assert.equal(scenario.options.seed, 4);
    assert.equal(scenario.options.interval, 60);

    await writeSimulation({ start: '2025-03-13T12:00:00Z', hours: 0.5, seed: 4, interval: 60 }, join(dir, 'lib'));
    for (const file of SIMULATION_FILES) {
      assert.ok(readFileSync(join(dir, 'lib', file)).equals(readFileSync(join(dir, 'cli', file))), `${file} differs between runs`);
    }
  });

  it('prints a JSON summary with --json and honours --no-ies and the mall scenario', async () => {
    const dir = tempDir();
    const result = await runPassby(['simulate', '--scenario', 'mall', '--out', dir, '--no-ies', '--json', ...ARGS], {});
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { scenario: string; probes: number; files: string[] };
    assert.equal(summary.scenario, 'mall');
    assert.ok(summary.probes > 1000);
    const lines = readFileSync(join(dir, 'probes.ndjson'), 'utf8').trimEnd().split('\n');
    const sensors = new Set(lines.map((line) => (JSON.parse(line) as { sensor: string; ies?: string }).sensor));
    assert.equal(sensors.size, 6);
    assert.ok(!lines[0]!.includes('"ies"'));
    assert.match(readFileSync(join(dir, 'truth-occupancy.csv'), 'utf8'), /^interval_start,occupancy,visitors,staff,fashion,electronics,food-court,pharmacy,department-store\n/);
  });

  it('refuses bad options with a clear message and no stack trace', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'not a directory');
    const cases = [
      [['--scenario', 'moon'], /scenario must be one of high-street, mall/],
      [['--start', 'next tuesday'], /start must be an ISO date-time/],
      [['--hours', '-3'], /hours must be at least/],
      [['--out', join(blocker, 'sub')], /cannot create/],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => runPassby(['simulate', '--out', join(dir, 'out'), ...args], {})));
    results.forEach((result, i) => {
      const [args, message] = cases[i]!;
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  });
});
