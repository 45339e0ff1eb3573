import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { defaultVenueAnalyticsSettings } from '../../src/analytics/index.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

describe('venue analytics settings API', () => {
  let ctx: TestContext;
  let a: TestOrg;
  let b: TestOrg;

  before(async () => {
    ctx = await createTestContext();
    a = await newOrg(ctx.services, 'Org A');
    b = await newOrg(ctx.services, 'Org B');
  });
  after(() => ctx.close());

  const path = (venueId: string) => `/api/v1/venues/${venueId}/analytics-settings`;

  it('answers the defaults for a venue without settings', async () => {
    const res = await request(ctx.app).get(path(a.venueId)).set(bearer(a.apiKey)).expect(200);
    assert.deepEqual(res.body, defaultVenueAnalyticsSettings());
    assert.deepEqual(await ctx.services.analyticsSettings.settingsFor(a.orgId, a.venueId), defaultVenueAnalyticsSettings());
  });

  it('stores validated settings, filling left-out fields with defaults', async () => {
    const put = await request(ctx.app).put(path(a.venueId)).set(bearer(a.apiKey)).send({ visitorRssi: -65, dwellThresholdsMinutes: [10] }).expect(200);
    const expected = { ...defaultVenueAnalyticsSettings(), visitorRssi: -65, dwellThresholdsMinutes: [10] };
    assert.deepEqual(put.body, expected);
    assert.deepEqual((await request(ctx.app).get(path(a.venueId)).set(bearer(a.apiKey)).expect(200)).body, expected);
    assert.deepEqual(await ctx.services.analyticsSettings.settingsFor(a.orgId, a.venueId), expected);
  });

  it('refuses bad values and unknown fields with every problem listed', async () => {
    const res = await request(ctx.app).put(path(a.venueId)).set(bearer(a.apiKey)).send({ visitorRssi: 5, sessionTimeoutSeconds: 'long', colour: 'red' }).expect(400);
    const fields = (res.body as { error: { details: { fields: { path: string }[] } } }).error.details.fields.map((f) => f.path).sort();
    assert.deepEqual(fields, ['(body)', 'sessionTimeoutSeconds', 'visitorRssi']);
  });

  it("neither shows nor changes another organisation's venue settings", async () => {
    await request(ctx.app).put(path(b.venueId)).set(bearer(b.apiKey)).send({ visitorRssi: -80 }).expect(200);
    await request(ctx.app).get(path(b.venueId)).set(bearer(a.apiKey)).expect(404);
    await request(ctx.app).put(path(b.venueId)).set(bearer(a.apiKey)).send({ visitorRssi: -50 }).expect(404);
    await request(ctx.app).get(path('not-a-uuid')).set(bearer(a.apiKey)).expect(404);
    await request(ctx.app).get(path(a.venueId)).expect(401);
    await assert.rejects(ctx.services.analyticsSettings.settingsFor(a.orgId, b.venueId), { code: 'NOT_FOUND' });
    assert.equal((await ctx.services.analyticsSettings.settingsFor(b.orgId, b.venueId)).visitorRssi, -80);
  });
});
