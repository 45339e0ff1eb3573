import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { runPassby } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg } from '../helpers/factories.js';

/** The first 300 probe requests of the Brno lab capture of 2024-03-14 (MIT, Tomas Fryza; see test/fixtures/probes/README.md). */
const FRYZA_PCAP = fileURLToPath(new URL('../fixtures/probes/fryza-sc6-61/position_1_2024-03-14-first300.pcap', import.meta.url));

interface Summary {
  sensor: string;
  files: number;
  records: number;
  accepted: number;
  rejected: number;
  duplicateBatches: number;
  problems: { file: string; line?: number; index?: number; reason: string }[];
  failedFiles: unknown[];
}

describe('passby import', () => {
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  let sensorId: string;
  let ndjsonFile: string;

  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'passby-import-'));
    // Ten years of retention, so the 2024 capture is inside it.
    env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: dir, ANALYTICS_PROBE_RETENTION_DAYS: '3650' };
    const services = createServices({ db: db.pool, clock: systemClock, secretKey: TEST_SECRET_KEY });
    const org = await newOrg(services);
    sensorId = (await services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Lab' })).sensor.id;
    const t = Date.now() / 1000;
    const lines = [
      { ts: t, mac: '02:aa:00:00:00:01', rssi: -60, sensor: 'named-in-the-file' },
      { ts: t, mac: '02:aa:00:00:00:02', rssi: 'strong' },
      { ts: t + 1, mac: '02:aa:00:00:00:03', rssi: -70, seq: 12, channel: 11 },
      { ts: t + 7200, mac: '02:aa:00:00:00:04', rssi: -70 },
    ];
    ndjsonFile = join(dir, 'probes.ndjson.gz');
    writeFileSync(ndjsonFile, gzipSync(lines.map((l) => JSON.stringify(l)).join('\n')));
  });
  after(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async (): Promise<number> => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM probes WHERE sensor_id = $1', [sensorId])).rows[0]?.n ?? -1;

  it('imports a pcap and a gzip NDJSON file in batches, reports the rejected records and exits 1', async () => {
    const result = await runPassby(['import', '--sensor', sensorId, '--batch-size', '1000', '--json', FRYZA_PCAP, ndjsonFile], env);
    assert.equal(result.code, 1, result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.deepEqual([summary.files, summary.records, summary.accepted, summary.rejected, summary.duplicateBatches], [2, 304, 302, 2, 0]);
    assert.deepEqual(
      summary.problems.map((p) => [p.file, p.line ?? `#${p.index}`]),
      [
        [ndjsonFile, 2],
        // Parsed records carry no line number: the ingest check names them by their 0-based place in the file.
        [ndjsonFile, '#3'],
      ],
    );
    assert.match(summary.problems[0]?.reason ?? '', /rssi must be a number/);
    assert.match(summary.problems[1]?.reason ?? '', /ahead of the server's clock/);
    assert.match(result.stderr, /^import: 100% /m, 'plain progress lines when stderr is not a terminal');
    assert.equal(await stored(), 302);
    // The capture is from March 2024: its day's partition was made on demand.
    const { rows } = await db.pool.query<{ name: string; n: number }>(
      "SELECT tableoid::regclass::text AS name, count(*)::int AS n FROM probes WHERE ts < '2025-01-01' GROUP BY 1 ORDER BY 1",
    );
    assert.deepEqual(rows, [{ name: 'probes_p20240314', n: 300 }]);
  });

  it('stores nothing twice when the same files are imported again', async () => {
    const result = await runPassby(['import', '--sensor', sensorId, '--batch-size', '1000', '--json', FRYZA_PCAP], env);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.deepEqual([summary.accepted, summary.rejected, summary.duplicateBatches], [300, 0, 1]);
    assert.equal(await stored(), 302);
  });

  it('prints a readable summary and refuses an unknown sensor or a missing file', async () => {
    const plain = await runPassby(['import', '--sensor', sensorId, ndjsonFile], env);
    assert.equal(plain.code, 1);
    assert.match(plain.stdout, /^accepted: 2$/m);
    assert.match(plain.stdout, /^rejected: \S+probes\.ndjson\.gz:2: rssi must be a number/m);
    const unknown = await runPassby(['import', '--sensor', '00000000-0000-4000-8000-000000000000', ndjsonFile], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Sensor 00000000-0000-4000-8000-000000000000 not found/);
    const missing = await runPassby(['import', '--sensor', sensorId, join(dir, 'nope.pcap')], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Cannot read .*nope\.pcap/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  });
});
