import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ProbeMaintenance, type IngestSensor } from '../../src/analytics/index.js';
import { loadConfig } from '../../src/config.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg } from '../helpers/factories.js';

const DAY_MS = 86_400_000;

describe('probe partitions and retention', () => {
  let db: TestDatabase;
  let current = new Date('2032-05-10T12:00:00Z');
  const clock = { now: () => current };
  const analytics = loadConfig({ ANALYTICS_PROBE_RETENTION_DAYS: '3' }).analytics;
  let services: Services;
  let sensor: IngestSensor;

  before(async () => {
    db = await createTestDatabase();
    services = createServices({ db: db.pool, clock, secretKey: TEST_SECRET_KEY, analytics });
    const org = await newOrg(services);
    sensor = (await services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Door' })).sensor;
  });
  after(() => db.drop());

  const partitions = async (): Promise<string[]> =>
    (
      await db.pool.query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'probes'::regclass ORDER BY 1",
      )
    ).rows
      .map((r) => r.name)
      .filter((name) => name >= 'probes_p2032');
  const countsByDay = async (): Promise<Record<string, number>> => {
    const { rows } = await db.pool.query<{ day: string; n: number }>("SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM probes GROUP BY 1 ORDER BY 1");
    return Object.fromEntries(rows.map((r) => [r.day, r.n]));
  };
  const ingestAt = async (at: Date, count: number, id: string) => {
    current = at;
    const records = Array.from({ length: count }, (_, i) => ({ ok: true as const, probe: { ts: at.getTime() / 1000 - i, mac: `02:00:00:00:00:${String(i).padStart(2, '0')}`, rssi: -60 }, index: i }));
    return services.ingest.ingest(sensor, { id, digest: createHash('sha256').update(id).digest(), records });
  };

  it('has no default partition: every row lives in a day partition', async () => {
    const { rows } = await db.pool.query<{ partdefid: number }>("SELECT partdefid::int AS partdefid FROM pg_partitioned_table WHERE partrelid = 'probes'::regclass");
    assert.deepEqual(rows, [{ partdefid: 0 }]);
  });

  it('creates the coming days ahead and a missing day on demand', async () => {
    assert.deepEqual(await partitions(), []);
    current = new Date('2032-05-10T12:00:00Z');
    const result = await new ProbeMaintenance({ db: db.pool, clock, analytics }).run();
    assert.equal(result.created, 4);
    assert.deepEqual(await partitions(), ['probes_p20320510', 'probes_p20320511', 'probes_p20320512', 'probes_p20320513']);
    // A sensor that was offline sends yesterday's probes: the day is created as they arrive.
    const outcome = await ingestAt(new Date('2032-05-09T23:00:00Z'), 3, 'late');
    current = new Date('2032-05-10T12:00:00Z');
    assert.equal(outcome.accepted, 3);
    assert.deepEqual((await partitions()).slice(0, 2), ['probes_p20320509', 'probes_p20320510']);
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ONLY probes_p20320509');
    assert.equal(rows[0]?.n, 3);
  });

  it('drops whole expired days and keeps the rest untouched', async () => {
    for (let day = 0; day < 6; day += 1) await ingestAt(new Date(Date.parse('2032-05-10T10:00:00Z') + day * DAY_MS), 5 + day, `day-${day}`);
    const before = await countsByDay();
    assert.deepEqual(before, { '2032-05-09': 3, '2032-05-10': 5, '2032-05-11': 6, '2032-05-12': 7, '2032-05-13': 8, '2032-05-14': 9, '2032-05-15': 10 });
    // 3-day retention at 2032-05-15 12:00: days that ended by 2032-05-12 12:00 (the 9th, 10th and 11th) go.
    current = new Date('2032-05-15T12:00:00Z');
    const result = await new ProbeMaintenance({ db: db.pool, clock, analytics }).run();
    assert.deepEqual(result.dropped, ['probes_p20320509', 'probes_p20320510', 'probes_p20320511']);
    assert.deepEqual(await countsByDay(), { '2032-05-12': 7, '2032-05-13': 8, '2032-05-14': 9, '2032-05-15': 10 });
    assert.deepEqual(await partitions(), ['probes_p20320512', 'probes_p20320513', 'probes_p20320514', 'probes_p20320515', 'probes_p20320516', 'probes_p20320517', 'probes_p20320518']);
    const { rows } = await db.pool.query<{ n_tup_del: number }>("SELECT coalesce(sum(n_tup_del), 0)::int AS n_tup_del FROM pg_stat_user_tables WHERE relname LIKE 'probes_p%'");
    assert.equal(rows[0]?.n_tup_del, 0, 'not one row deleted: whole tables dropped');
  });

  it('refuses probes past the retention, so a dropped day is never recreated by a straggler', async () => {
    current = new Date('2032-05-15T12:00:00Z');
    const outcome = await ingestAt(new Date('2032-05-15T12:00:00Z'), 1, 'fresh');
    assert.equal(outcome.accepted, 1);
    current = new Date('2032-05-15T12:00:00Z');
    const old = await services.ingest.ingest(sensor, {
      id: 'old',
      digest: createHash('sha256').update('old').digest(),
      records: [{ ok: true, probe: { ts: Date.parse('2032-05-11T12:00:00Z') / 1000, mac: '02:00:00:00:00:99', rssi: -60 }, index: 0 }],
    });
    assert.deepEqual([old.accepted, old.rejected], [0, 1]);
    assert.match(old.errors[0]?.reason ?? '', /older than the 3-day retention/);
    assert.ok(!(await partitions()).includes('probes_p20320511'));
  });

  it('forgets batch outcomes once no retry can bring probes inside the retention', async () => {
    current = new Date('2032-05-25T12:00:00Z');
    const result = await new ProbeMaintenance({ db: db.pool, clock, analytics }).run();
    assert.equal(result.batchesDeleted, 6, "the 3 oldest went with the run of the 15th");
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches');
    assert.equal(rows[0]?.n, 0);
  });
});
