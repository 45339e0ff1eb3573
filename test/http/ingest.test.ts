import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Express } from 'express';
import request from 'supertest';
import type { PresenceSink, SightingBatch } from '../../src/analytics/index.js';
import { createTriggers } from '../../src/triggers/index.js';
import { buildApp } from '../../src/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { createServices, type Services } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { createDeviceHasher } from '../../src/shared/device-hash.js';
import { createLogger } from '../../src/shared/logger.js';
import { testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

/** Records what ingest hands over; can be told to fail like an unreachable Redis. */
class RecordingSink implements PresenceSink {
  readonly batches: SightingBatch[] = [];
  failing = false;
  record(batch: SightingBatch): Promise<void> {
    if (this.failing) return Promise.reject(new Error('presence store unreachable'));
    this.batches.push(batch);
    return Promise.resolve();
  }
}

interface Outcome {
  batch: string;
  accepted: number;
  rejected: number;
  errors: { line?: number; index?: number; reason: string }[];
  errorsOmitted: number;
  duplicate: boolean;
}

const now = () => Date.now() / 1000;
const ndjson = (records: unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';
const mac = (i: number): string => `02:00:5e:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

describe('POST /api/v1/ingest/probes', () => {
  let database: TestDatabase;
  let redis: RedisFactory;
  let services: Services;
  let app: Express;
  let org: TestOrg;
  let sensor: { id: string; token: string };
  const sink = new RecordingSink();

  before(async () => {
    database = await createTestDatabase();
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, ANALYTICS_INGEST_MAX_BODY_MB: '1', ANALYTICS_INGEST_MAX_INFLATED_MB: '2' });
    redis = createRedisFactory(TEST_REDIS_URL);
    services = createServices({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY, analytics: config.analytics, presence: sink });
    app = buildApp({ config, db: database.pool, redis: redis.create('client'), logger: createLogger('silent'), clock: systemClock, metrics: createMetrics(), secretKey: TEST_SECRET_KEY, services, triggers: createTriggers({ config, db: database.pool, redis: redis.create('client'), clock: systemClock, secretKey: TEST_SECRET_KEY, logger: createLogger('silent') }) });
    org = await newOrg(services);
    const created = await services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Door' });
    sensor = { id: created.sensor.id, token: created.token };
  });
  after(async () => {
    await redis.closeAll();
    await database.drop();
  });

  const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
    request(app)
      .post('/api/v1/ingest/probes')
      .set({ ...bearer(sensor.token), 'Content-Type': 'application/x-ndjson', ...headers })
      // As it is: superagent would JSON-encode a Buffer sent as application/json.
      .serialize((data: string | Buffer) => data as string)
      .send(body);
  const probeCount = async (): Promise<number> => (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM probes')).rows[0]?.n ?? -1;
  const batchCount = async (): Promise<number> => (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches')).rows[0]?.n ?? -1;

  it('stores the good records and names each bad one by line, with the reason', async () => {
    const t = now();
    const body = ndjson([
      { ts: t, mac: mac(1), rssi: -61, seq: 7, channel: 6, fp: '0,1,50' },
      { ts: t, mac: 'not-a-mac', rssi: -61 },
      { ts: t - 40 * 86400, mac: mac(2), rssi: -70 },
      { ts: t + 3600, mac: mac(3), rssi: -70 },
      { ts: t, mac: mac(4), rssi: -50, sensor: 'Somewhere else' },
      { ts: t, mac: mac(5), rssi: -50, sensor: 'Door' },
    ]).replace('\n', '\n{broken\n\n');
    const res = await post(body, { 'Idempotency-Key': 'reasons-1' }).expect(202);
    const outcome = res.body as Outcome;
    assert.equal(outcome.accepted, 2);
    assert.equal(outcome.rejected, 5);
    assert.equal(outcome.duplicate, false);
    assert.deepEqual(outcome.errors.map((e) => e.line), [2, 4, 5, 6, 7]);
    const [json, macProblem, old, ahead, other] = outcome.errors.map((e) => e.reason);
    assert.match(json ?? '', /not valid JSON/);
    assert.match(macProblem ?? '', /mac must be a MAC address/);
    assert.match(old ?? '', /older than the 30-day retention/);
    assert.match(ahead ?? '', /3600 s ahead of the server's clock \(allowed: 300 s\)/);
    assert.match(other ?? '', /"Somewhere else" is not the sensor this token belongs to/);
    assert.equal(await probeCount(), 2);
  });

  it('accepts a gzip-compressed JSON array and reports problems by index', async () => {
    const t = now();
    const body = gzipSync(JSON.stringify([{ ts: t, mac: mac(10), rssi: -60 }, { ts: t, mac: mac(11) }, { ts: new Date(t * 1000).toISOString(), mac: mac(12), rssi: -55 }]));
    const res = await post(body, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Idempotency-Key': 'array-1' }).expect(202);
    const outcome = res.body as Outcome;
    assert.deepEqual([outcome.accepted, outcome.rejected], [2, 1]);
    assert.deepEqual(outcome.errors, [{ index: 1, reason: 'rssi is required' }]);
  });

  it('caps the error list and says how many were left out', async () => {
    const res = await post(ndjson(Array.from({ length: 250 }, () => ({ mac: mac(1) }))), { 'Idempotency-Key': 'many-errors' }).expect(202);
    const outcome = res.body as Outcome;
    assert.equal(outcome.rejected, 250);
    assert.equal(outcome.errors.length, 100);
    assert.equal(outcome.errorsOmitted, 150);
  });

  it('stores a retried batch once and answers the stored outcome', async () => {
    const before = await probeCount();
    const body = ndjson([{ ts: now(), mac: mac(20), rssi: -60 }, { ts: now(), mac: mac(21), rssi: -60 }, { mac: mac(22) }]);
    const first = (await post(body, { 'Idempotency-Key': 'retry-1' }).expect(202)).body as Outcome;
    const again = (await post(gzipSync(body), { 'Idempotency-Key': 'retry-1', 'Content-Encoding': 'gzip' }).expect(202)).body as Outcome;
    const viaQuery = (await request(app).post('/api/v1/ingest/probes?batch=retry-1').set({ ...bearer(sensor.token), 'Content-Type': 'application/x-ndjson' }).send(body).expect(202))
      .body as Outcome;
    assert.equal(first.duplicate, false);
    for (const retry of [again, viaQuery]) assert.deepEqual(retry, { ...first, duplicate: true });
    assert.equal(await probeCount(), before + 2);
  });

  it('refuses the same batch id with different probes (409 INGEST_BATCH_REUSED)', async () => {
    await post(ndjson([{ ts: now(), mac: mac(30), rssi: -60 }]), { 'Idempotency-Key': 'reused-1' }).expect(202);
    const before = await probeCount();
    const res = await post(ndjson([{ ts: now(), mac: mac(31), rssi: -60 }]), { 'Idempotency-Key': 'reused-1' }).expect(409);
    const error = (res.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'INGEST_BATCH_REUSED');
    assert.match(error.message, /already used by this sensor for different probes/);
    assert.equal(await probeCount(), before);
  });

  it('refuses oversized and zip-bomb bodies with 413 before storing anything', async () => {
    const [probesBefore, batchesBefore] = [await probeCount(), await batchCount()];
    const line = JSON.stringify({ ts: now(), mac: mac(40), rssi: -60 });
    const big = Array.from({ length: Math.ceil((1.2 * 1048576) / line.length) }, () => line).join('\n');
    const oversized = await post(big, { 'Idempotency-Key': 'big-1' }).expect(413);
    assert.equal((oversized.body as { error: { code: string } }).error.code, 'PAYLOAD_TOO_LARGE');
    // 64 MiB of spaces gzip to about 64 KiB: far under the wire limit, far over the 2 MiB inflated limit.
    const bomb = gzipSync(Buffer.alloc(64 * 1048576, ' '));
    assert.ok(bomb.length < 200_000);
    const refused = await post(bomb, { 'Idempotency-Key': 'bomb-1', 'Content-Encoding': 'gzip' }).expect(413);
    assert.match((refused.body as { error: { message: string } }).error.message, /inflates to more than 2 MiB/);
    assert.deepEqual([await probeCount(), await batchCount()], [probesBefore, batchesBefore]);
  });

  it('wants a sensor token, a batch id and a probe content type', async () => {
    const body = ndjson([{ ts: now(), mac: mac(50), rssi: -60 }]);
    const headers = { 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': 'auth-1' };
    await request(app).post('/api/v1/ingest/probes').set(headers).send(body).expect(401);
    await request(app).post('/api/v1/ingest/probes').set({ ...headers, ...bearer(`${sensor.token.slice(0, -2)}xx`) }).send(body).expect(401);
    const withApiKey = await request(app).post('/api/v1/ingest/probes').set({ ...headers, ...bearer(org.apiKey) }).send(body).expect(401);
    assert.equal(withApiKey.headers['www-authenticate'], 'Bearer realm="passby"');
    await post(body).expect(400);
    await post(body, { 'Idempotency-Key': 'bad id with spaces' }).expect(400);
    await post(body, { 'Content-Type': 'text/plain', 'Idempotency-Key': 'type-1' }).expect(415);
    await post(body, { 'Content-Encoding': 'br', 'Idempotency-Key': 'enc-1' }).expect(415);
    await post(Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip', 'Idempotency-Key': 'gz-1' }).expect(400);
  });

  it("updates the sensor's last_seen_at", async () => {
    const { rows } = await database.pool.query<{ seen: Date | null }>('SELECT last_seen_at AS seen FROM sensors WHERE id = $1', [sensor.id]);
    assert.ok(rows[0]?.seen instanceof Date && Date.now() - rows[0].seen.getTime() < 60_000);
  });

  it('marks a bound device known and hands its sightings to presence once per batch; a sink failure answers 503 and the retry heals it', async () => {
    const known = '3c:22:fb:00:00:01';
    const deviceHash = createDeviceHasher(TEST_SECRET_KEY)(org.orgId, known);
    const { rows } = await database.pool.query<{ id: string }>(
      "INSERT INTO visitors (id, org_id, phone, last_verified_at) VALUES (gen_random_uuid(), $1, '+447700900123', now()) RETURNING id",
      [org.orgId],
    );
    const visitorId = rows[0]?.id ?? '';
    await database.pool.query('INSERT INTO device_bindings (org_id, device_hash, visitor_id, randomised, verified_at, last_login_at) VALUES ($1, $2, $3, false, now(), now())', [
      org.orgId,
      deviceHash,
      visitorId,
    ]);
    const t = now();
    const body = ndjson([{ ts: t, mac: known, rssi: -52 }, { ts: t + 1, mac: mac(60), rssi: -80 }, { ts: t + 2, mac: known.toUpperCase(), rssi: -50 }]);
    sink.batches.length = 0;
    await post(body, { 'Idempotency-Key': 'known-1' }).expect(202);
    assert.equal(sink.batches.length, 1);
    assert.deepEqual(sink.batches[0], {
      orgId: org.orgId,
      venueId: org.venueId,
      zoneId: null,
      sensorId: sensor.id,
      batchKey: `${sensor.id}:known-1`,
      sightings: [
        { deviceHash, visitorId, ts: t, rssi: -52 },
        { deviceHash, visitorId, ts: t + 2, rssi: -50 },
      ],
    });
    const flags = await database.pool.query<{ known: boolean; n: number }>('SELECT known, count(*)::int AS n FROM probes WHERE ts >= to_timestamp($1) GROUP BY known ORDER BY known', [t]);
    assert.deepEqual(flags.rows, [{ known: false, n: 1 }, { known: true, n: 2 }]);

    sink.failing = true;
    const failed = await post(body.replace('-80', '-81'), { 'Idempotency-Key': 'known-2' }).expect(503);
    assert.equal((failed.body as { error: { code: string } }).error.code, 'DEPENDENCY_UNAVAILABLE');
    sink.failing = false;
    const retried = (await post(body.replace('-80', '-81'), { 'Idempotency-Key': 'known-2' }).expect(202)).body as Outcome;
    assert.equal(retried.duplicate, true, 'the probes were stored by the first attempt');
    assert.deepEqual(sink.batches.map((b) => b.batchKey), [`${sensor.id}:known-1`, `${sensor.id}:known-2`]);
  });

  it('never stores a raw MAC or an SSID anywhere in the database', async () => {
    const secretMac = 'd8:3a:dd:12:34:56';
    const ssid = 'SmithFamilyHome5G';
    await post(ndjson([{ ts: now(), mac: secretMac.toUpperCase(), rssi: -60, ssid }, { ts: now(), mac: secretMac, rssi: 'loud', ssid }]), {
      'Idempotency-Key': 'privacy-1',
    }).expect(202);
    const needles = [secretMac, secretMac.replace(/:/g, ''), secretMac.replace(/:/g, '-'), ssid.toLowerCase()];
    const tables = await database.pool.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    assert.ok(tables.rows.some((t) => t.name.startsWith('probes_p')), 'the partitions are scanned too');
    for (const { name } of tables.rows) {
      const { rows } = await database.pool.query<{ t: string }>(`SELECT t::text AS t FROM "${name}" t`);
      for (const row of rows) for (const needle of needles) assert.ok(!row.t.toLowerCase().includes(needle), `${name} holds ${needle}`);
    }
  });
});
