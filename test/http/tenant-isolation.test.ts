import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

describe('tenant isolation', () => {
  let ctx: TestContext;
  let a: TestOrg;
  let b: TestOrg;
  let bZoneId: string;

  before(async () => {
    ctx = await createTestContext();
    a = await newOrg(ctx.services, 'Org A');
    b = await newOrg(ctx.services, 'Org B');
    bZoneId = (await ctx.services.venues.createZone(b.orgId, b.venueId, { name: 'B zone' })).id;
  });
  after(() => ctx.close());

  const venueOfB = () => ctx.services.venues.get(b.orgId, b.venueId);

  it("does not list or show another organisation's venues", async () => {
    const list = await request(ctx.app).get('/api/v1/venues').set(bearer(a.apiKey)).expect(200);
    assert.deepEqual((list.body as { items: { id: string }[] }).items.map((v) => v.id), [a.venueId]);
    await request(ctx.app).get(`/api/v1/venues/${b.venueId}`).set(bearer(a.apiKey)).expect(404);
    await request(ctx.app).get(`/api/v1/venues/${b.venueId}/zones`).set(bearer(a.apiKey)).expect(404);
    await request(ctx.app).get(`/api/v1/zones/${bZoneId}`).set(bearer(a.apiKey)).expect(404);
    const org = await request(ctx.app).get('/api/v1/organisation').set(bearer(a.apiKey)).expect(200);
    assert.equal((org.body as { id: string }).id, a.orgId);
  });

  it("cannot change or delete another organisation's venue or zone", async () => {
    const before = await venueOfB();
    await request(ctx.app).patch(`/api/v1/venues/${b.venueId}`).set(bearer(a.apiKey)).send({ name: 'Hijacked' }).expect(404);
    await request(ctx.app).delete(`/api/v1/venues/${b.venueId}`).set(bearer(a.apiKey)).expect(404);
    await request(ctx.app).delete(`/api/v1/zones/${bZoneId}`).set(bearer(a.apiKey)).expect(404);
    assert.deepEqual(await venueOfB(), before);
    assert.equal((await ctx.services.venues.getZone(b.orgId, bZoneId)).name, 'B zone');
  });

  it("cannot put zones, gateways or sensors into another organisation's venue", async () => {
    await request(ctx.app).post(`/api/v1/venues/${b.venueId}/zones`).set(bearer(a.apiKey)).send({ name: 'Sneaky' }).expect(404);
    await request(ctx.app).post('/api/v1/gateways').set(bearer(a.apiKey)).send({ kind: 'opennds', venueId: b.venueId, name: 'AP' }).expect(404);
    await request(ctx.app).post('/api/v1/sensors').set(bearer(a.apiKey)).send({ venueId: a.venueId, zoneId: bZoneId, name: 'S' }).expect(404);
    assert.equal((await ctx.services.venues.listZones(b.orgId, b.venueId)).length, 1);
    assert.equal((await ctx.services.gateways.list(b.orgId)).length, 0);
    assert.equal((await ctx.services.sensors.list(a.orgId)).length, 0);
  });

  it('refuses, in the database itself, a zone whose organisation differs from its venue', async () => {
    await assert.rejects(
      ctx.database.pool.query("INSERT INTO zones (id, org_id, venue_id, name) VALUES (gen_random_uuid(), $1, $2, 'cross')", [a.orgId, b.venueId]),
      /violates foreign key constraint/,
    );
  });

  it('refuses a zone of another venue of the same organisation', async () => {
    const other = await ctx.services.venues.create(a.orgId, { name: 'Second', timezone: 'UTC' });
    const zone = await ctx.services.venues.createZone(a.orgId, other.id, { name: 'Z' });
    const res = await request(ctx.app).post('/api/v1/sensors').set(bearer(a.apiKey)).send({ venueId: a.venueId, zoneId: zone.id, name: 'S' }).expect(400);
    assert.match((res.body as { error: { message: string } }).error.message, /is not in venue/);
  });
});
