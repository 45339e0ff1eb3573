import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { IngestService, ProbeMaintenance, noPresenceTracking, type IngestSensor } from '../../src/analytics/index.js';
import { loadConfig } from '../../src/config.js';
import { createServices } from '../../src/services.js';
import type { Probe } from '../../src/analytics/probes/probe.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg } from '../helpers/factories.js';

const MAC = '5a:11:22:33:44:55';

describe('per-period MAC salts', () => {
  let db: TestDatabase;
  let current = new Date('2031-03-01T23:59:00Z');
  const clock = { now: () => current };
  const analytics = loadConfig({ ANALYTICS_SALT_ROTATION_HOURS: '24', ANALYTICS_SALT_GRACE_MINUTES: '60' }).analytics;
  let ingest: IngestService;
  let sensors: IngestSensor[];
  let batch = 0;

  before(async () => {
    db = await createTestDatabase();
    const services = createServices({ db: db.pool, clock, secretKey: TEST_SECRET_KEY, analytics });
    ingest = new IngestService({ db: db.pool, clock, secretKey: TEST_SECRET_KEY, presence: noPresenceTracking, analytics });
    sensors = [];
    for (const name of ['One', 'Two']) {
      const org = await newOrg(services, name);
      sensors.push((await services.sensors.create(org.orgId, { venueId: org.venueId, name: `${name} door` })).sensor);
    }
  });
  after(() => db.drop());

  /** Ingests one probe of MAC stamped `at` for the sensor, the clock set to `receivedAt` (default `at`); returns the stored key (hex). */
  const keyAt = async (at: string, sensor = sensors[0] as IngestSensor, receivedAt = at): Promise<string> => {
    current = new Date(receivedAt);
    const probe: Probe = { ts: new Date(at).getTime() / 1000, mac: MAC, rssi: -60 };
    batch += 1;
    const outcome = await ingest.ingest(sensor, { id: `b${batch}`, digest: createHash('sha256').update(`b${batch}`).digest(), records: [{ ok: true, probe, index: 0 }] });
    assert.equal(outcome.accepted, 1);
    const { rows } = await db.pool.query<{ key: string }>("SELECT encode(device_key, 'hex') AS key FROM probes WHERE sensor_id = $1 AND ts = $2", [sensor.id, new Date(at)]);
    assert.equal(rows.length, 1);
    return rows[0]?.key ?? '';
  };

  it('keys a MAC the same within a UTC day and differently across the boundary and across organisations', async () => {
    const lateEvening = await keyAt('2031-03-01T23:59:00Z');
    const lastSecond = await keyAt('2031-03-01T23:59:59.900Z');
    const nextDay = await keyAt('2031-03-02T00:00:00.100Z');
    const otherOrg = await keyAt('2031-03-01T23:59:30Z', sensors[1]);
    assert.equal(lateEvening, lastSecond);
    assert.notEqual(lateEvening, nextDay);
    assert.notEqual(lateEvening, otherOrg);
    assert.match(lateEvening, /^[0-9a-f]{32}$/, '16 bytes');
    const { rows } = await db.pool.query<{ start: Date; end: Date }>('SELECT period_start AS start, period_end AS "end" FROM analytics_salts WHERE org_id = $1 ORDER BY 1', [sensors[0]?.orgId]);
    assert.deepEqual(rows.map((r) => [r.start.toISOString(), r.end.toISOString()]), [
      ['2031-03-01T00:00:00.000Z', '2031-03-02T00:00:00.000Z'],
      ['2031-03-02T00:00:00.000Z', '2031-03-03T00:00:00.000Z'],
    ]);
  });

  it('deletes a salt once its period and grace are over, so later keys for that period cannot be linked to earlier ones', async () => {
    const early = await keyAt('2031-03-02T08:00:00Z');
    current = new Date('2031-03-03T00:59:00Z');
    await new ProbeMaintenance({ db: db.pool, clock, analytics }).run();
    const kept = await db.pool.query('SELECT 1 FROM analytics_salts WHERE period_start = $1', [new Date('2031-03-02T00:00:00Z')]);
    assert.equal(kept.rowCount, 1, 'within the grace, the day-2 salt is kept');
    assert.equal((await db.pool.query('SELECT 1 FROM analytics_salts WHERE period_end <= $1', [new Date('2031-03-01T23:59:59Z')])).rowCount, 0, 'day 1 is gone');

    current = new Date('2031-03-03T01:00:00Z');
    const result = await new ProbeMaintenance({ db: db.pool, clock, analytics }).run();
    assert.equal(result.saltsDeleted, 1);
    // A straggler for day 2 arrives: it gets a fresh salt (the process's cached one expired with the grace too).
    const straggler = await keyAt('2031-03-02T08:00:01Z', sensors[0], '2031-03-03T01:00:05Z');
    assert.notEqual(straggler, early);
    assert.equal(await keyAt('2031-03-02T08:00:02Z', sensors[0], '2031-03-03T01:00:06Z'), straggler, 'stragglers share the fresh salt');
  });

  it('rotates every N hours when configured, aligned to UTC', async () => {
    const sixHourly = loadConfig({ ANALYTICS_SALT_ROTATION_HOURS: '6' }).analytics;
    ingest = new IngestService({ db: db.pool, clock, secretKey: TEST_SECRET_KEY, presence: noPresenceTracking, analytics: sixHourly });
    const before = await keyAt('2031-03-04T05:59:59Z');
    const sameSlot = await keyAt('2031-03-04T00:00:00Z');
    const after6 = await keyAt('2031-03-04T06:00:00Z');
    assert.equal(before, sameSlot);
    assert.notEqual(before, after6);
  });
});
