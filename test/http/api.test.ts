import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { path: string; message: string }[] }; requestId: string };
}

// One app and organisation for the whole file: the cases below do not disturb each other.
let ctx: TestContext;
let org: TestOrg;

before(async () => {
  ctx = await createTestContext();
  org = await newOrg(ctx.services);
});
after(() => ctx.close());

describe('API authentication and errors', () => {
  it('refuses a request without an API key, saying how to send one', async () => {
    const res = await request(ctx.app).get('/api/v1/venues').expect(401);
    const body = res.body as ErrorBody;
    assert.equal(body.error.code, 'UNAUTHENTICATED');
    assert.match(body.error.message, /Authorization: Bearer/);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="passby"');
    assert.equal(body.error.requestId, res.headers['x-request-id']);
  });

  it('refuses a malformed key and a well-formed key that does not exist', async () => {
    await request(ctx.app).get('/api/v1/venues').set(bearer('nonsense')).expect(401);
    const forged = `${org.apiKey.slice(0, -4)}AAAA`;
    const res = await request(ctx.app).get('/api/v1/venues').set(bearer(forged)).expect(401);
    assert.match((res.body as ErrorBody).error.message, /not valid or was revoked/);
  });

  it('keeps a sane incoming X-Request-Id and replaces a hostile one', async () => {
    const kept = await request(ctx.app).get('/healthz').set('X-Request-Id', 'lb-123.abc');
    assert.equal(kept.headers['x-request-id'], 'lb-123.abc');
    const replaced = await request(ctx.app).get('/healthz').set('X-Request-Id', 'x'.repeat(65));
    assert.match(replaced.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  });

  it('answers invalid JSON with BAD_JSON and a non-JSON body with 415', async () => {
    const bad = await request(ctx.app).post('/api/v1/venues').set(bearer(org.apiKey)).set('Content-Type', 'application/json').send('{"name":');
    assert.equal(bad.status, 400);
    assert.equal((bad.body as ErrorBody).error.code, 'BAD_JSON');
    const form = await request(ctx.app).post('/api/v1/venues').set(bearer(org.apiKey)).type('form').send('name=x');
    assert.equal(form.status, 415);
    assert.equal((form.body as ErrorBody).error.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses an oversized body before parsing it', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/venues')
      .set(bearer(org.apiKey))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(res.status, 413);
    assert.equal((res.body as ErrorBody).error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('lists every invalid field with a message', async () => {
    const res = await request(ctx.app).post('/api/v1/venues').set(bearer(org.apiKey)).send({ name: '', timezone: 'Nowhere/Land', extra: 1 }).expect(400);
    const body = res.body as ErrorBody;
    assert.equal(body.error.code, 'VALIDATION_FAILED');
    const paths = (body.error.details?.fields ?? []).map((f) => f.path).sort();
    assert.deepEqual(paths, ['(body)', 'name', 'timezone']);
  });

  it('answers an unknown route with a JSON 404 for API clients and an HTML page for browsers', async () => {
    const api = await request(ctx.app).get('/nowhere').set('Accept', 'application/json').expect(404);
    assert.equal((api.body as ErrorBody).error.code, 'NOT_FOUND');
    const page = await request(ctx.app).get('/nowhere').set('Accept', 'text/html').expect(404);
    assert.match(page.text, /<h1>Not found<\/h1>/);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
  });
});

describe('venues and zones API', () => {
  it('creates, reads, updates and deletes a venue with its zones', async () => {
    const created = await request(ctx.app)
      .post('/api/v1/venues')
      .set(bearer(org.apiKey))
      .send({ name: 'Mall', timezone: 'Europe/Moscow', address: 'Tverskaya 1', openingHours: { sat: [['10:00', '22:00']] } })
      .expect(201);
    const venue = created.body as { id: string; orgId: string; openingHours: unknown };
    assert.equal(venue.orgId, org.orgId);
    assert.deepEqual(venue.openingHours, { sat: [['10:00', '22:00']] });

    const patched = await request(ctx.app).patch(`/api/v1/venues/${venue.id}`).set(bearer(org.apiKey)).send({ name: 'Mall East' }).expect(200);
    assert.equal((patched.body as { name: string; timezone: string }).name, 'Mall East');
    assert.equal((patched.body as { timezone: string }).timezone, 'Europe/Moscow');

    const zone = await request(ctx.app).post(`/api/v1/venues/${venue.id}/zones`).set(bearer(org.apiKey)).send({ name: 'Food court' }).expect(201);
    const dup = await request(ctx.app).post(`/api/v1/venues/${venue.id}/zones`).set(bearer(org.apiKey)).send({ name: 'Food court' }).expect(409);
    assert.equal((dup.body as ErrorBody).error.code, 'CONFLICT');
    const zones = await request(ctx.app).get(`/api/v1/venues/${venue.id}/zones`).set(bearer(org.apiKey)).expect(200);
    assert.deepEqual((zones.body as { items: { id: string }[] }).items.map((z) => z.id), [(zone.body as { id: string }).id]);

    await request(ctx.app).delete(`/api/v1/venues/${venue.id}`).set(bearer(org.apiKey)).expect(204);
    await request(ctx.app).get(`/api/v1/venues/${venue.id}`).set(bearer(org.apiKey)).expect(404);
    await request(ctx.app).get(`/api/v1/zones/${(zone.body as { id: string }).id}`).set(bearer(org.apiKey)).expect(404);
  });

  it('answers 404, not a server error, for a malformed id', async () => {
    const res = await request(ctx.app).get('/api/v1/venues/not-a-uuid').set(bearer(org.apiKey)).expect(404);
    assert.equal((res.body as ErrorBody).error.code, 'NOT_FOUND');
  });

  it('creates gateways and sensors, shows secrets once and never again', async () => {
    const gw = await request(ctx.app).post('/api/v1/gateways').set(bearer(org.apiKey)).send({ kind: 'opennds', venueId: org.venueId, name: 'AP 1' }).expect(201);
    const created = gw.body as { gateway: { id: string }; secrets: { faskey: string } };
    assert.match(created.secrets.faskey, /^[A-Za-z0-9_-]{32}$/);
    const listed = await request(ctx.app).get('/api/v1/gateways').set(bearer(org.apiKey)).expect(200);
    assert.doesNotMatch(listed.text, new RegExp(created.secrets.faskey));
    assert.doesNotMatch(listed.text, /secrets/);

    const sensor = await request(ctx.app).post('/api/v1/sensors').set(bearer(org.apiKey)).send({ venueId: org.venueId, name: 'Door' }).expect(201);
    const token = (sensor.body as { token: string }).token;
    assert.match(token, /^pbs_/);
    const sensors = await request(ctx.app).get('/api/v1/sensors').set(bearer(org.apiKey)).expect(200);
    assert.doesNotMatch(sensors.text, new RegExp(token));
    assert.equal((await ctx.services.sensors.authenticate(token))?.venueId, org.venueId);
  });
});
