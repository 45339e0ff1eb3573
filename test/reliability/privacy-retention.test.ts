import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import supertest from 'supertest';
import type { IngestSensor } from '../../src/analytics/index.js';
import { createPresenceService } from '../../src/analytics/presence/index.js';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createJobHandlers } from '../../src/job-handlers.js';
import { LoginRepository } from '../../src/portal/login.repository.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { jobCatalog, jobSchedules, type PassbyJobs } from '../../src/queue/jobs.js';
import { startWorkers, type JobHandlers, type WorkerGroup } from '../../src/queue/workers.js';
import { createServices, type Services } from '../../src/services.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTriggers, type Triggers } from '../../src/triggers/index.js';
import { testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/triggers.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const silent = createLogger('silent');
const MAINTENANCE_JOBS = ['maintenance.purge-sessions', 'portal.purge-logins', 'analytics.probe-maintenance'] as const;

/**
 * Retention on schedule: data past its retention is gone after the app's own
 * scheduled maintenance jobs run through real BullMQ workers on a real Redis,
 * with the clock moved forward (the only thing faked).
 */
describe('privacy: retention runs on schedule and purges what is past its time', () => {
  let database: TestDatabase;
  let config: Config;
  let prefix: string;
  let redis: RedisFactory;
  let services: Services;
  let triggers: Triggers;
  let workers: WorkerGroup | undefined;
  let short: TestOrg;
  let standard: TestOrg;
  let sensor: IngestSensor;
  let current = new Date('2032-05-10T10:00:00Z');
  const clock = { now: () => current };
  const finished: string[] = [];
  const logins: Record<string, string> = {};

  before(async () => {
    database = await createTestDatabase();
    prefix = testPrefix();
    config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ANALYTICS_PROBE_RETENTION_DAYS: '3' });
    redis = createRedisFactory(TEST_REDIS_URL);
    services = createServices({ db: database.pool, clock, secretKey: TEST_SECRET_KEY, analytics: config.analytics });
    triggers = createTriggers({ config, db: database.pool, redis: redis.create('client'), clock, secretKey: TEST_SECRET_KEY, logger: silent });
    short = await newOrg(services);
    standard = await newOrg(services);
    sensor = (await services.sensors.create(short.orgId, { venueId: short.venueId, name: 'Door' })).sensor;
  });

  after(async () => {
    await workers?.close();
    await triggers.close();
    await redis.closeAll();
    await deletePrefix(prefix);
    await database.drop();
    rmSync(config.dataDir, { recursive: true, force: true });
  });

  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await database.pool.query<{ n: number }>(sql, params)).rows[0]?.n ?? -1;
  const probeDays = async (): Promise<string[]> =>
    (await database.pool.query<{ day: string }>("SELECT DISTINCT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM probes ORDER BY 1")).rows.map((r) => r.day);

  async function ingestDay(at: Date): Promise<void> {
    current = at;
    const id = at.toISOString();
    const records = Array.from({ length: 4 }, (_, i) => ({ ok: true as const, probe: { ts: at.getTime() / 1000 - i, mac: `02:00:00:00:01:0${i}`, rssi: -55 }, index: i }));
    const outcome = await services.ingest.ingest(sensor, { id, digest: createHash('sha256').update(id).digest(), records });
    assert.equal(outcome.accepted, 4);
  }

  async function login(org: TestOrg, label: string, ageDays: number, now: Date): Promise<void> {
    const id = newId();
    logins[label] = id;
    await new LoginRepository(database.pool).insert(org.orgId, {
      id,
      phone: '+447400900001',
      deviceHash: 'a'.repeat(64),
      venueId: org.venueId,
      gatewayId: newId(),
      method: 'sms_code',
      consents: { terms: true },
      loggedInAt: new Date(now.getTime() - ageDays * DAY_MS),
    });
  }

  /** The maintenance handlers exactly as main.ts builds them (only the maintenance queue gets a worker). */
  function maintenanceHandlers(): JobHandlers<PassbyJobs> {
    const client = redis.create('client');
    const all = createJobHandlers({
      db: database.pool,
      clock,
      analytics: config.analytics,
      rollup: services.rollup,
      triggers,
      presence: createPresenceService({
        redis: client,
        prefix,
        clock,
        settingsFor: (orgId, venueId) => services.analyticsSettings.settingsFor(orgId, venueId),
        timeZoneFor: async (orgId, venueId) => (await services.venues.get(orgId, venueId)).timezone,
      }),
    });
    return Object.fromEntries(MAINTENANCE_JOBS.map((name) => [name, all[name]]));
  }

  it('seeds six days of probes, salts, logins under two retentions and staff sessions', async () => {
    // One organisation shortens its login retention through the API; the other keeps the default (183 days).
    const app = buildApp({ config, db: database.pool, redis: redis.create('client'), logger: silent, clock, metrics: createMetrics(), secretKey: TEST_SECRET_KEY, services, triggers });
    const put = await supertest(app).put('/api/v1/portal/settings').set(bearer(short.apiKey)).send({ loginRetentionDays: 30 });
    assert.equal(put.status, 200, put.text);
    for (let day = 0; day < 6; day += 1) await ingestDay(new Date(Date.parse('2032-05-10T10:00:00Z') + day * DAY_MS));
    assert.deepEqual(await probeDays(), ['2032-05-10', '2032-05-11', '2032-05-12', '2032-05-13', '2032-05-14', '2032-05-15']);
    assert.equal(await count('SELECT count(*)::int AS n FROM analytics_salts'), 6, 'one salt per daily period');
    // Sessions and metrics are aggregates without identifiers: they outlive the raw probes.
    await database.pool.query(
      `INSERT INTO analytics_sessions (org_id, venue_id, device_key, started_at, ended_at, strong_seconds, probes, max_rssi, kind)
       VALUES ($1, $2, '\\x00000000000000000000000000000001', '2032-05-10T10:00:00Z', '2032-05-10T10:20:00Z', 600, 4, -55, 'visitor')`,
      [short.orgId, short.venueId],
    );

    const end = new Date('2032-05-15T12:00:00Z');
    await login(short, 'short-old', 31, end);
    await login(short, 'short-recent', 29, end);
    await login(standard, 'standard-older-than-30', 40, end);
    await login(standard, 'standard-old', 184, end);
    await login(standard, 'standard-recent', 182, end);
    await database.pool.query(
      `INSERT INTO staff_sessions (sid, data, expires_at) VALUES ('expired-1', '{}', $1), ('expired-2', '{}', $2), ('live', '{}', $3)`,
      [new Date(end.getTime() - HOUR_MS), new Date(end.getTime() - 10 * DAY_MS), new Date(end.getTime() + HOUR_MS)],
    );
  });

  it('registers the maintenance jobs in BullMQ with their cadence, once however often the scheduler runs', async () => {
    current = new Date('2032-05-15T12:00:00Z');
    // A first start only upserts the schedulers (no handlers: nothing runs yet); the real start follows.
    await (await startWorkers({ catalog: jobCatalog, handlers: {}, schedules: jobSchedules, redis, prefix, concurrency: 1, logger: silent })).close();
    workers = await startWorkers({
      catalog: jobCatalog,
      handlers: maintenanceHandlers(),
      schedules: jobSchedules,
      redis,
      prefix,
      concurrency: 1,
      logger: silent,
      onJobFinished: (_queue, job, outcome) => finished.push(`${job}:${outcome}`),
    });
    const queue = new Queue('maintenance', { connection: redis.create('client'), prefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      assert.equal(schedulers.length, 3, 'a second start replaced the schedulers, it did not add more');
      const cadence = Object.fromEntries(schedulers.map((s) => [s.key, { job: s.name, every: Number(s.every) }]));
      assert.deepEqual(cadence, {
        'purge-sessions': { job: 'maintenance.purge-sessions', every: HOUR_MS },
        'purge-portal-logins': { job: 'portal.purge-logins', every: 6 * HOUR_MS },
        'analytics-probe-maintenance': { job: 'analytics.probe-maintenance', every: HOUR_MS },
      });
      // Upper bounds that make the documented promises hold: a salt goes within an hour of its grace, a login within a day of its retention.
      for (const { every } of Object.values(cadence)) assert.ok(every <= 6 * HOUR_MS);
      for (const s of schedulers) assert.ok((s.next ?? 0) > 0, `${s.key} has a next run`);
    } finally {
      await queue.close();
    }
  });

  it('runs each maintenance job through the real worker, which purges', async () => {
    await waitFor(() => MAINTENANCE_JOBS.every((job) => finished.includes(`${job}:completed`)), 30_000, `maintenance jobs completed (finished: ${finished.join(', ')})`);
    assert.deepEqual(finished.filter((f) => f.endsWith(':failed')), []);
  });

  it('dropped the probe days past the 3-day retention whole and kept the newer ones and the sessions', async () => {
    assert.deepEqual(await probeDays(), ['2032-05-12', '2032-05-13', '2032-05-14', '2032-05-15']);
    const partitions = await database.pool.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'probes'::regclass AND c.relname < 'probes_p20320512'",
    );
    assert.deepEqual(partitions.rows, [], 'no partition older than the retention is left');
    assert.equal(await count("SELECT coalesce(sum(n_tup_del), 0)::int AS n FROM pg_stat_user_tables WHERE relname LIKE 'probes_p%'"), 0, 'tables dropped, not rows deleted');
    assert.equal(await count('SELECT count(*)::int AS n FROM analytics_sessions'), 1);
  });

  it('deleted every salt whose period ended more than the grace ago, so old keys cannot be recomputed', async () => {
    const { rows } = await database.pool.query<{ start: Date }>('SELECT period_start AS start FROM analytics_salts ORDER BY 1');
    assert.deepEqual(rows.map((r) => r.start.toISOString()), ['2032-05-15T00:00:00.000Z']);
  });

  it("purged portal logins past each organisation's own retention and kept the newer ones", async () => {
    const { rows } = await database.pool.query<{ id: string }>('SELECT id FROM portal_logins');
    const kept = Object.entries(logins).filter(([, id]) => rows.some((r) => r.id === id)).map(([label]) => label).sort();
    assert.deepEqual(kept, ['short-recent', 'standard-older-than-30', 'standard-recent']);
  });

  it('deleted expired staff sessions and kept the live one', async () => {
    const { rows } = await database.pool.query<{ sid: string }>('SELECT sid FROM staff_sessions ORDER BY sid');
    assert.deepEqual(rows.map((r) => r.sid), ['live']);
  });
});
