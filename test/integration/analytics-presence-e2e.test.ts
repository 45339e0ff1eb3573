import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { Express } from 'express';
import request from 'supertest';
import {
  createPresenceHandlers,
  createPresenceService,
  createPresenceSink,
  PRESENCE_EVENTS_QUEUE,
  presenceEventSchema,
  presenceJobCatalog,
  type ClosablePresenceSink,
  type PresenceEvent,
} from '../../src/analytics/presence/index.js';
import { createTriggers } from '../../src/triggers/index.js';
import { buildApp } from '../../src/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { startWorkers, type WorkerGroup } from '../../src/queue/workers.js';
import { createServices, type Services } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { createDeviceHasher } from '../../src/shared/device-hash.js';
import { createLogger } from '../../src/shared/logger.js';
import { testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { deletePrefix, scanKeys, testPrefix } from '../helpers/redis.js';

const silent = createLogger('silent');
const KNOWN = '3c:22:fb:42:42:42';
const STRANGER = '3c:22:fb:77:77:77';

describe('presence end to end: sensor batch -> ingest -> presence worker -> presence-events', () => {
  let database: TestDatabase;
  let redis: RedisFactory;
  let prefix: string;
  let services: Services;
  let app: Express;
  let sink: ClosablePresenceSink;
  let workers: WorkerGroup;
  let events: Queue;
  let org: TestOrg;
  let sensor: { id: string; token: string };

  before(async () => {
    database = await createTestDatabase();
    prefix = testPrefix();
    redis = createRedisFactory(TEST_REDIS_URL);
    const client = redis.create('client');
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix });
    sink = createPresenceSink({ redis: client, prefix });
    services = createServices({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY, analytics: config.analytics, presence: sink });
    app = buildApp({ config, db: database.pool, redis: client, logger: silent, clock: systemClock, metrics: createMetrics(), secretKey: TEST_SECRET_KEY, services, triggers: createTriggers({ config, db: database.pool, redis: client, clock: systemClock, secretKey: TEST_SECRET_KEY, logger: silent }) });
    const presence = createPresenceService({
      redis: client,
      prefix,
      clock: systemClock,
      settingsFor: (o, v) => services.analyticsSettings.settingsFor(o, v),
      timeZoneFor: async (o, v) => (await services.venues.get(o, v)).timezone,
    });
    workers = await startWorkers({ catalog: presenceJobCatalog, handlers: createPresenceHandlers(presence), redis, prefix, concurrency: 2, logger: silent });
    events = new Queue(PRESENCE_EVENTS_QUEUE, { connection: redis.create('client'), prefix });
    org = await newOrg(services, 'Presence e2e');
    const created = await services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Door' });
    sensor = { id: created.sensor.id, token: created.token };
    const { rows } = await database.pool.query<{ id: string }>(
      "INSERT INTO visitors (id, org_id, phone, last_verified_at) VALUES (gen_random_uuid(), $1, '+447400123499', now()) RETURNING id",
      [org.orgId],
    );
    await database.pool.query(
      'INSERT INTO device_bindings (org_id, device_hash, visitor_id, randomised, verified_at, last_login_at) VALUES ($1, $2, $3, false, now(), now())',
      [org.orgId, createDeviceHasher(TEST_SECRET_KEY)(org.orgId, KNOWN), rows[0]?.id],
    );
  });

  after(async () => {
    await workers.close();
    await events.close();
    await sink.close();
    await deletePrefix(prefix);
    await redis.closeAll();
    await database.drop();
  });

  const queued = async (): Promise<PresenceEvent[]> => {
    const jobs = await events.getJobs(['waiting', 'delayed', 'active', 'completed']);
    return jobs.map((job) => presenceEventSchema.parse(job.data)).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.type.localeCompare(b.type));
  };

  it('turns seven minutes of a known phone at the door into entered and a 5-minute dwell, once, with no MAC anywhere in Redis', async () => {
    const start = Math.floor(Date.now() / 1000) - 7 * 60;
    const lines = [];
    for (let t = 0; t <= 7 * 60; t += 20) {
      lines.push({ ts: start + t, mac: KNOWN, rssi: -52, seq: t / 20 });
      lines.push({ ts: start + t + 1, mac: STRANGER, rssi: -50, seq: t / 20 });
    }
    const body = lines.map((l) => JSON.stringify(l)).join('\n');
    const post = () =>
      request(app)
        .post('/api/v1/ingest/probes')
        .set({ Authorization: `Bearer ${sensor.token}`, 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': 'door-e2e-1' })
        .send(body)
        .expect(202);
    await post();
    // A sensor that lost the answer sends the batch again: no second set of events.
    await post();

    const deadline = Date.now() + 15_000;
    let found: PresenceEvent[] = [];
    while (Date.now() < deadline) {
      found = await queued();
      if (found.some((e) => e.type === 'presence.dwell')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const venueLevel = found.filter((e) => e.zoneId === null);
    assert.deepEqual(
      venueLevel.map((e) => (e.type === 'presence.dwell' ? `dwell:${e.dwellMinutes}` : e.type)).sort(),
      ['dwell:5', 'presence.entered'],
    );
    const deviceHash = createDeviceHasher(TEST_SECRET_KEY)(org.orgId, KNOWN);
    assert.ok(venueLevel.every((e) => e.deviceHash === deviceHash && e.venueId === org.venueId));
    // The stranger (not bound to a visitor) produces no events at all.
    assert.equal(new Set(found.map((e) => e.deviceHash)).size, 1);

    const client = redis.create('client');
    const dump: string[] = [];
    for (const key of await scanKeys(client, `${prefix}*`)) {
      const type = await client.type(key);
      if (type === 'string') dump.push((await client.get(key)) ?? '');
      else if (type === 'hash') dump.push(JSON.stringify(await client.hgetall(key)));
      else if (type === 'list') dump.push(JSON.stringify(await client.lrange(key, 0, -1)));
      else if (type === 'zset') dump.push(JSON.stringify(await client.zrange(key, 0, -1)));
    }
    const text = dump.join('\n').toLowerCase();
    for (const mac of [KNOWN, STRANGER]) {
      assert.ok(!text.includes(mac) && !text.includes(mac.replaceAll(':', '')), `raw MAC ${mac} found in Redis`);
    }
  });
});
