import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SessionRepository, type StoredSession } from '../../src/analytics/metrics/session.repository.js';
import type { VenueMetrics } from '../../src/analytics/metrics/metrics.service.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

const DAY = '2026-05-04';
const T0 = Date.parse(`${DAY}T09:00:00Z`) / 1000;

function session(device: string, startMin: number, endMin: number, kind: StoredSession['kind'], zoneId: string | null = null, dayOffset = 0): StoredSession {
  const base = T0 + dayOffset * 86_400;
  return {
    orgId: '',
    device: device.padStart(32, '0'),
    venueId: '',
    zoneId,
    start: base + startMin * 60,
    end: base + endMin * 60,
    strongSeconds: kind === 'visitor' ? (endMin - startMin) * 60 : 0,
    probes: 10,
    maxRssi: kind === 'visitor' ? -50 : -80,
    kind,
    known: false,
  };
}

describe('analytics metrics API', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let other: TestOrg;
  let secondVenueId: string;
  let door: string;
  let tills: string;

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Metrics org');
    other = await newOrg(ctx.services, 'Other org');
    door = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Door' })).id;
    tills = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Tills' })).id;
    secondVenueId = (await ctx.services.venues.create(org.orgId, { name: 'Second shop', timezone: 'Europe/London' })).id;
    const repo = new SessionRepository(ctx.database.pool);
    const venueSessions = [
      session('a', 0, 2, 'passerby'),
      session('b', 5, 35, 'visitor'),
      session('c', 10, 12, 'passerby'),
      session('d', 20, 80, 'visitor'),
      // d came yesterday too: a repeat visitor, one day between visits.
      session('d', 0, 30, 'visitor', null, -1),
      session('b', 5, 35, 'visitor', door),
      session('b', 36, 50, 'visitor', tills),
      session('d', 20, 30, 'visitor', door),
      session('d', 31, 80, 'visitor', tills),
    ];
    await repo.replaceWindow(org.orgId, org.venueId, { from: T0 - 2 * 86_400, to: T0 + 86_400, doneUntil: undefined }, venueSessions.map((s) => ({ ...s, orgId: org.orgId, venueId: org.venueId })));
    await repo.replaceWindow(org.orgId, secondVenueId, { from: T0 - 86_400, to: T0 + 86_400, doneUntil: undefined }, [{ ...session('d', 200, 230, 'visitor'), orgId: org.orgId, venueId: secondVenueId }]);
  });
  after(() => ctx.close());

  const metricsOf = async (query: string): Promise<VenueMetrics> =>
    (await request(ctx.app).get(`/api/v1/venues/${org.venueId}/metrics?${query}`).set(bearer(org.apiKey)).expect(200)).body as VenueMetrics;

  it('gives footfall, passers-by, visitors, capture rate and occupancy per interval', async () => {
    const result = await metricsOf(`from=${DAY}T09:00:00Z&to=${DAY}T10:00:00Z&interval=15m`);
    assert.deepEqual(result.series.map((p) => [p.footfall, p.passersby, p.visitors]), [[3, 2, 1], [1, 0, 1], [0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(result.totals, { footfall: 4, passersby: 2, visitors: 2, captureRate: 0.5 });
    assert.equal(result.series[1]?.occupancy, 1.67);
    assert.equal(result.rolledUpUntil, T0 + 86_400);
  });

  it('summarises dwell, new vs repeat, visit frequency and routes between zones', async () => {
    // A London day in May: midnight is 23:00 UTC the day before.
    const result = await metricsOf(`from=${DAY}T00:00:00%2B01:00&to=2026-05-05T00:00:00%2B01:00&interval=day`);
    assert.equal(result.series.length, 1);
    assert.equal(result.dwell.visits, 2);
    assert.equal(result.dwell.median, 2700);
    assert.equal(result.loyalty.newDevices, 1);
    assert.equal(result.loyalty.repeatDevices, 1);
    assert.equal(result.frequency.find((b) => b.label === '1 day')?.returns, 1);
    assert.deepEqual(result.routes, [{ from: door, to: tills, count: 2 }]);
  });

  it('narrows to one zone', async () => {
    const result = await metricsOf(`from=${DAY}T09:00:00Z&to=${DAY}T10:00:00Z&zone=${tills}`);
    assert.equal(result.zoneId, tills);
    assert.equal(result.totals.visitors, 2);
  });

  it('exports the series as CSV', async () => {
    const response = await request(ctx.app)
      .get(`/api/v1/venues/${org.venueId}/metrics.csv?from=${DAY}T09:00:00Z&to=${DAY}T10:00:00Z&interval=15m`)
      .set(bearer(org.apiKey))
      .expect(200)
      .expect('content-type', /text\/csv/);
    const lines = response.text.trim().split('\r\n');
    assert.equal(lines[0], 'start,end,footfall,passersby,visitors,capture_rate,devices,occupancy,footfall_calibrated,occupancy_calibrated');
    assert.equal(lines[1], `${DAY}T09:00:00.000Z,${DAY}T09:15:00.000Z,3,2,1,0.3333,3,0.67,,`);
    assert.equal(lines.length, 5);
  });

  it('gives the share of visitors seen at both venues', async () => {
    const response = await request(ctx.app).get(`/api/v1/analytics/intersections?from=${DAY}T00:00:00Z&to=${DAY}T23:59:59Z`).set(bearer(org.apiKey)).expect(200);
    const items = (response.body as { items: { venueId: string; otherVenueId: string; shared: number; share: number }[] }).items;
    assert.deepEqual(items.find((i) => i.venueId === org.venueId && i.otherVenueId === secondVenueId), { venueId: org.venueId, otherVenueId: secondVenueId, visitors: 2, shared: 1, share: 0.5 });
  });

  it('refuses bad periods and intervals with a clear message', async () => {
    const bad = async (query: string, field: string): Promise<void> => {
      const response = await request(ctx.app).get(`/api/v1/venues/${org.venueId}/metrics?${query}`).set(bearer(org.apiKey)).expect(400);
      const body = response.body as { error: { code: string; details: { fields: { path: string }[] } } };
      assert.equal(body.error.code, 'VALIDATION_FAILED');
      assert.equal(body.error.details.fields[0]?.path, field, JSON.stringify(body));
    };
    await bad('interval=7m', 'interval');
    await bad(`from=${DAY}T10:00:00Z&to=${DAY}T09:00:00Z`, 'to');
    await bad('from=yesterday', 'from');
    await bad('from=0&to=99999999&interval=1m', 'from');
    await bad(`zone=not-a-zone`, 'zone');
  });

  it('fits uploaded manual counts, removing a constant background, and applies the fit to the series', async () => {
    const at = (minute: number): string => new Date((T0 + minute * 60) * 1000).toISOString();
    // Estimated occupancy per quarter hour is 0.67, 1.67, 1.33, 1; people counted 3 per device
    // less a background of 0.5 (say, the café next door's phones).
    const counts = [1.51, 4.51, 3.49, 2.5].map((count, i) => ({ start: at(i * 15), count }));
    const upload = await request(ctx.app)
      .put(`/api/v1/venues/${org.venueId}/calibration`)
      .set(bearer(org.apiKey))
      .send({ kind: 'occupancy', intervalSeconds: 900, counts })
      .expect(200);
    const report = upload.body as { fit: { method: string; a: number; b: number }; factor: number; accuracy: { raw: { mape: number }; calibrated: { mape: number } } };
    assert.equal(report.fit.method, 'linear', JSON.stringify(report));
    assert.ok(Math.abs(report.fit.a - 3) < 1e-9 && Math.abs(report.fit.b + 0.5) < 1e-9, JSON.stringify(report.fit));
    assert.ok(report.factor > 2 && report.factor < 3);
    assert.ok(report.accuracy.raw.mape > 50);
    assert.ok(report.accuracy.calibrated.mape < 1e-6);

    const quarters = await metricsOf(`from=${DAY}T09:00:00Z&to=${DAY}T10:00:00Z&interval=15m`);
    assert.deepEqual(quarters.series.map((p) => p.occupancyCalibrated), [1.51, 4.51, 3.49, 2.5]);
    assert.equal(quarters.calibration.occupancy?.method, 'linear');
    // Occupancy is a level: an hour's mean (1.17) takes the same fit.
    const hour = await metricsOf(`from=${DAY}T09:00:00Z&to=${DAY}T10:00:00Z&interval=1h`);
    assert.equal(hour.series[0]?.occupancyCalibrated, 3.01);
    assert.ok(hour.series.every((p) => !('footfallCalibrated' in p)));
    const stored = await request(ctx.app).get(`/api/v1/venues/${org.venueId}/calibration`).set(bearer(org.apiKey)).expect(200);
    assert.deepEqual((stored.body as { items: { kind: string }[] }).items.map((i) => i.kind), ['occupancy']);
  });

  it('applies the paper’s factor to footfall summed over a longer interval', async () => {
    // Footfall per quarter 3, 1, 0, 0 (sessions started); counted 2 per session: the paper's factor.
    const counts = [6, 2, 0, 0].map((count, i) => ({ start: T0 + i * 900, count }));
    const upload = await request(ctx.app).put(`/api/v1/venues/${org.venueId}/calibration`).set(bearer(org.apiKey)).send({ kind: 'footfall', intervalSeconds: 900, counts, method: 'factor' }).expect(200);
    assert.deepEqual((upload.body as { fit: unknown }).fit, { method: 'factor', factor: 2, n: 2 });
    const hour = await metricsOf(`from=${DAY}T09:00:00Z&to=${DAY}T10:00:00Z&interval=1h`);
    assert.equal(hour.totals.footfallCalibrated, 8);
  });

  it('refuses counts it cannot fit with a clear message, and other organisations', async () => {
    const put = (body: object, key = org.apiKey) => request(ctx.app).put(`/api/v1/venues/${org.venueId}/calibration`).set(bearer(key)).send(body);
    const tooFew = await put({ kind: 'footfall', intervalSeconds: 900, counts: [{ start: T0, count: 1 }] }).expect(400);
    assert.match(JSON.stringify(tooFew.body), /at least 3 counted intervals/);
    const overlapping = await put({ kind: 'occupancy', intervalSeconds: 900, counts: [0, 600, 1800].map((o) => ({ start: T0 + o, count: 2 })) }).expect(400);
    assert.match(JSON.stringify(overlapping.body), /overlap/);
    await put({ kind: 'footfall', intervalSeconds: 900, counts: [0, 900, 1800].map((o) => ({ start: T0 + o, count: 2 })) }, other.apiKey).expect(404);
  });

  it("does not show another organisation's venue", async () => {
    await request(ctx.app).get(`/api/v1/venues/${org.venueId}/metrics`).set(bearer(other.apiKey)).expect(404);
    await request(ctx.app).get(`/api/v1/venues/${org.venueId}/metrics?zone=${door}`).set(bearer(other.apiKey)).expect(404);
    const response = await request(ctx.app).get(`/api/v1/analytics/intersections`).set(bearer(other.apiKey)).expect(200);
    assert.ok((response.body as { items: { venueId: string }[] }).items.every((i) => i.venueId !== org.venueId));
  });
});
