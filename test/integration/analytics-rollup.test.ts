import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { VenueMetrics } from '../../src/analytics/index.js';
import { RollupService } from '../../src/analytics/rollup/rollup.service.js';
import type { Clock } from '../../src/shared/clock.js';
import { createDeviceHasher } from '../../src/shared/device-hash.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

interface Sensor {
  id: string;
  token: string;
}

const VISITOR = '3c:22:fb:10:20:30';
const PASSER = '6a:11:22:33:44:55';
const STAFF_LAPTOP = '3c:22:fb:99:99:99';

describe('rollup: stored probes become sessions and metrics', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let door: Sensor;
  let tills: Sensor;
  let doorZone: string;
  let tillsZone: string;
  // Probes two hours ago, so the rollup (clock: now) sees them settled.
  const t0 = Math.floor(Date.now() / 1000 / 60) * 60 - 2 * 3600;
  const clock: Clock = { now: () => new Date() };

  const send = async (sensor: Sensor, records: object[], batch: string): Promise<void> => {
    const body = records.map((r) => JSON.stringify(r)).join('\n');
    const response = await request(ctx.app)
      .post('/api/v1/ingest/probes')
      .set({ Authorization: `Bearer ${sensor.token}`, 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': batch })
      .send(body)
      .expect(202);
    assert.equal((response.body as { rejected: number }).rejected, 0, JSON.stringify(response.body));
  };
  const every = (mac: string, from: number, to: number, step: number, rssi: number, seq0 = 0) =>
    Array.from({ length: Math.floor((to - from) / step) }, (_, i) => ({ ts: t0 + from + i * step, mac, rssi, seq: (seq0 + i) % 4096 }));

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Rollup org');
    doorZone = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Door' })).id;
    tillsZone = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Tills' })).id;
    const made = async (name: string, zoneId: string): Promise<Sensor> => {
      const { sensor, token } = await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, zoneId, name });
      return { id: sensor.id, token };
    };
    door = await made('Door sensor', doorZone);
    tills = await made('Tills sensor', tillsZone);
    // The visitor is a portal visitor: their device is bound, so it is known.
    const { rows } = await ctx.database.pool.query<{ id: string }>(
      "INSERT INTO visitors (id, org_id, phone, last_verified_at) VALUES (gen_random_uuid(), $1, '+447400123456', now()) RETURNING id",
      [org.orgId],
    );
    await ctx.database.pool.query(
      'INSERT INTO device_bindings (org_id, device_hash, visitor_id, randomised, verified_at, last_login_at) VALUES ($1, $2, $3, false, now(), now())',
      [org.orgId, createDeviceHasher(TEST_SECRET_KEY)(org.orgId, VISITOR), rows[0]?.id],
    );
    // Visitor: 20 min strong at the door, then 15 min at the tills. Passer-by: 2 min, weak, at the door.
    await send(door, [...every(VISITOR, 0, 1200, 20, -50), ...every(PASSER, 300, 420, 15, -84, 100)], 'door-1');
    await send(tills, [...every(VISITOR, 1260, 2160, 20, -55, 60)], 'tills-1');
  });
  after(() => ctx.close());

  const metrics = async (): Promise<VenueMetrics> => {
    const from = t0 - 3600;
    const response = await request(ctx.app)
      .get(`/api/v1/venues/${org.venueId}/metrics?from=${from}&to=${t0 + 3 * 3600}&interval=1h`)
      .set(bearer(org.apiKey))
      .expect(200);
    return response.body as VenueMetrics;
  };

  it('makes a visitor and a passer-by session, a route door -> tills, and the dwell of the visit', async () => {
    const rollup = new RollupService({ db: ctx.database.pool, clock, settingsFor: (o, v) => ctx.services.analyticsSettings.settingsFor(o, v) });
    const results = await rollup.rollupAll();
    assert.ok(results.at(-1)?.caughtUp);
    const result = await metrics();
    assert.deepEqual(result.totals, { footfall: 2, passersby: 1, visitors: 1, captureRate: 0.5 });
    assert.deepEqual(result.routes, [{ from: doorZone, to: tillsZone, count: 1 }]);
    assert.equal(result.dwell.visits, 1);
    assert.ok(result.dwell.median !== null && Math.abs(result.dwell.median - 2140) <= 20, String(result.dwell.median));
  });

  it('gives the same sessions when run again (a second worker, or a retry after a crash)', async () => {
    const count = async () => (await ctx.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics_sessions WHERE venue_id = $1', [org.venueId])).rows[0]?.n;
    const before = await count();
    const rollup = new RollupService({ db: ctx.database.pool, clock, settingsFor: (o, v) => ctx.services.analyticsSettings.settingsFor(o, v) });
    await rollup.rollupAll();
    await rollup.rollupAll();
    assert.equal(await count(), before);
    assert.deepEqual((await metrics()).totals, { footfall: 2, passersby: 1, visitors: 1, captureRate: 0.5 });
  });

  it('keys the portal visitor’s sessions by their stable device key, and nobody else’s', async () => {
    const { rows } = await ctx.database.pool.query<{ key: string; known: boolean; kind: string }>(
      "SELECT encode(device_key, 'hex') AS key, known, kind FROM analytics_sessions WHERE venue_id = $1 AND zone_id IS NULL ORDER BY kind DESC",
      [org.venueId],
    );
    const stable = createDeviceHasher(TEST_SECRET_KEY)(org.orgId, VISITOR).slice(0, 32);
    assert.deepEqual(rows, [
      { key: stable, known: true, kind: 'visitor' },
      { key: rows[1]?.key ?? '', known: false, kind: 'passerby' },
    ]);
    assert.notEqual(rows[1]?.key, stable);
  });

  it('goes back for probes that arrive late for an already rolled-up stretch (a sensor’s spooled backlog)', async () => {
    // The staff laptop arrives at the tills well after the rest: a new visitor, no double counts.
    await send(tills, every(STAFF_LAPTOP, 3000, 3600, 30, -48), 'tills-2');
    const rollup = new RollupService({ db: ctx.database.pool, clock, settingsFor: (o, v) => ctx.services.analyticsSettings.settingsFor(o, v) });
    await rollup.rollupAll();
    const result = await metrics();
    assert.equal(result.totals.visitors, 2);
    assert.equal(result.totals.passersby, 1);
  });

  it('rolls up the other venues when one fails, then fails the job so it is retried', async () => {
    const broken = await ctx.services.venues.create(org.orgId, { name: 'Broken venue', timezone: 'Europe/London' });
    await ctx.services.sensors.create(org.orgId, { venueId: broken.id, name: 'Broken sensor' });
    await send(door, every('3c:22:fb:55:55:55', 4000, 4600, 20, -45), 'door-late-visitor');
    const rollup = new RollupService({
      db: ctx.database.pool,
      clock,
      settingsFor: (o, v) => (v === broken.id ? Promise.reject(new Error('settings store down')) : ctx.services.analyticsSettings.settingsFor(o, v)),
    });
    await assert.rejects(rollup.rollupAll(), (error: unknown) => error instanceof AggregateError && /1 venue/.test(error.message));
    assert.equal((await metrics()).totals.visitors, 3);
  });
});
