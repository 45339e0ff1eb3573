import assert from 'node:assert/strict';
import type { EndpointView } from '../../src/triggers/webhooks/endpoint.service.js';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { webhookHeaders } from '../../src/triggers/webhooks/standard-webhooks.js';
import { buildTestApp, createTestContext, testConfig, type TestContext } from '../helpers/context.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

type EndpointBody = EndpointView;
interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { path: string }[] } };
}

let ctx: TestContext;
let org: TestOrg;
let other: TestOrg;

before(async () => {
  ctx = await createTestContext();
  org = await newOrg(ctx.services);
  other = await newOrg(ctx.services);
});
after(() => ctx.close());

const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string, who: TestOrg = org) => request(ctx.app)[method](`/api/v1${path}`).set(bearer(who.apiKey));

async function create(body: Record<string, unknown>, who: TestOrg = org): Promise<{ endpoint: EndpointBody; secret: string }> {
  const res = await api('post', '/webhook-endpoints', who).send(body).expect(201);
  return res.body as { endpoint: EndpointBody; secret: string };
}

describe('webhook endpoints API: create and read', () => {
  it('creates an endpoint and shows its secret once', async () => {
    const { endpoint, secret } = await create({ url: 'https://93.184.215.14/hooks/passby', description: ' Our CRM ', eventTypes: ['presence.entered', 'presence.entered', 'trigger.fired'] });
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual({ ...endpoint, id: '', createdAt: '' }, {
      id: '', createdAt: '', url: 'https://93.184.215.14/hooks/passby', description: 'Our CRM', eventTypes: ['presence.entered', 'trigger.fired'],
      enabled: true, disabledReason: null, disabledAt: null, failingSince: null, secretCount: 1,
    });
    const list = await api('get', '/webhook-endpoints').expect(200);
    const one = await api('get', `/webhook-endpoints/${endpoint.id}`).expect(200);
    assert.ok((list.body as { items: EndpointBody[] }).items.some((e) => e.id === endpoint.id));
    assert.deepEqual(one.body, endpoint);
    for (const shown of [list.text, one.text]) assert.equal(shown.includes(secret.slice(6, 30)), false);
  });

  it('keeps the secret sealed at rest', async () => {
    const { endpoint, secret } = await create({ url: 'https://93.184.215.14/a' });
    const { rows } = await ctx.database.pool.query<{ sealed_secret: string }>('SELECT sealed_secret FROM webhook_endpoint_secrets WHERE endpoint_id = $1', [endpoint.id]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.sealed_secret.includes(secret.slice(6, 30)), false);
    assert.deepEqual((await ctx.triggers.webhooks.endpoints.get(org.orgId, endpoint.id))?.secrets, [secret]);
  });
});

describe('webhook endpoints API: secret rotation', () => {
  it('keeps both secrets signing during the overlap, each verifying on its own', async () => {
    const { endpoint, secret: first } = await create({ url: 'https://93.184.215.14/rotate' });
    const res = await api('post', `/webhook-endpoints/${endpoint.id}/rotate-secret`).send({ overlapHours: 2 }).expect(200);
    const { secret: second, previousExpiresAt } = res.body as { secret: string; previousExpiresAt: string };
    assert.notEqual(second, first);
    const hours = (Date.parse(previousExpiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 1.9 && hours <= 2, `expires in ${hours} h`);
    assert.equal(((await api('get', `/webhook-endpoints/${endpoint.id}`).expect(200)).body as EndpointBody).secretCount, 2);

    const delivery = await ctx.triggers.webhooks.endpoints.get(org.orgId, endpoint.id);
    const body = '{"type":"trigger.fired"}';
    assert.ok(delivery);
    assert.deepEqual(delivery.secrets, [second, first]);
    const headers = webhookHeaders({ secrets: delivery.secrets, messageId: 'm-1', body, timestamp: new Date() });
    assert.doesNotThrow(() => new Webhook(first).verify(body, headers));
    assert.doesNotThrow(() => new Webhook(second).verify(body, headers));
  });

  it('stops the old secret at once with overlapHours 0, and defaults to 24 h', async () => {
    const { endpoint } = await create({ url: 'https://93.184.215.14/rotate0' });
    const defaulted = (await api('post', `/webhook-endpoints/${endpoint.id}/rotate-secret`).expect(200)).body as { previousExpiresAt: string };
    assert.ok(Math.abs(Date.parse(defaulted.previousExpiresAt) - Date.now() - 24 * 3_600_000) < 60_000);
    const last = (await api('post', `/webhook-endpoints/${endpoint.id}/rotate-secret`).send({ overlapHours: 0 }).expect(200)).body as { secret: string };
    assert.deepEqual((await ctx.triggers.webhooks.endpoints.get(org.orgId, endpoint.id))?.secrets, [last.secret]);
    assert.equal(((await api('get', `/webhook-endpoints/${endpoint.id}`).expect(200)).body as EndpointBody).secretCount, 1);
  });

  it('refuses an overlap beyond 168 hours', async () => {
    const { endpoint } = await create({ url: 'https://93.184.215.14/rotate-bad' });
    const res = await api('post', `/webhook-endpoints/${endpoint.id}/rotate-secret`).send({ overlapHours: 169 }).expect(400);
    assert.equal((res.body as ErrorBody).error.code, 'VALIDATION_FAILED');
  });
});

describe('webhook endpoints API: validation', () => {
  const cases: [string, unknown, string][] = [
    ['a missing url', {}, 'url'],
    ['a relative url', { url: '/hooks' }, 'url'],
    ['another scheme', { url: 'ftp://93.184.215.14/x' }, 'url'],
    ['credentials in the url', { url: 'https://user:pw@93.184.215.14/x' }, 'url'],
    ['a url over 2,000 characters', { url: `https://93.184.215.14/${'a'.repeat(2000)}` }, 'url'],
    ['http to a public host', { url: 'http://93.184.215.14/x' }, 'url'],
    ['an unknown event type', { url: 'https://93.184.215.14/x', eventTypes: ['presence.teleported'] }, 'eventTypes.0'],
    ['an unknown field', { url: 'https://93.184.215.14/x', secret: 'mine' }, '(body)'],
  ];
  for (const [what, body, path] of cases) {
    it(`refuses ${what}`, async () => {
      const res = await api('post', '/webhook-endpoints').send(body as object).expect(400);
      const error = (res.body as ErrorBody).error;
      assert.equal(error.code, 'VALIDATION_FAILED');
      assert.ok(error.details?.fields?.some((f) => f.path === path), JSON.stringify(error));
    });
  }

  const forbidden: [string, RegExp][] = [
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is the cloud metadata address/],
    ['http://10.0.0.1/', /10\.0\.0\.1 is a private address/],
    ['https://[::ffff:127.0.0.1]/', /IPv4-mapped address for 127\.0\.0\.1, a loopback address/],
    ['https://100.64.1.1/', /carrier-grade NAT/],
    ['https://[fd00::1]/', /unique local/],
    ['https://localhost/hooks', /localhost resolves to .*loopback/],
  ];
  for (const [url, why] of forbidden) {
    it(`refuses ${url} with WEBHOOK_URL_FORBIDDEN naming the address class`, async () => {
      const res = await api('post', '/webhook-endpoints').send({ url }).expect(400);
      const error = (res.body as ErrorBody).error;
      assert.equal(error.code, 'WEBHOOK_URL_FORBIDDEN');
      assert.match(error.message, why);
    });
  }

  it('checks a changed URL too', async () => {
    const { endpoint } = await create({ url: 'https://93.184.215.14/patch-me' });
    const res = await api('patch', `/webhook-endpoints/${endpoint.id}`).send({ url: 'https://192.168.1.10/' }).expect(400);
    assert.equal((res.body as ErrorBody).error.code, 'WEBHOOK_URL_FORBIDDEN');
  });

  it('accepts http and loopback only where the operator allowed the network', async () => {
    const config = testConfig({ DATABASE_URL: ctx.database.url, TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128' });
    const lab = buildTestApp(config, ctx.database, ctx.redis);
    const res = await request(lab.app).post('/api/v1/webhook-endpoints').set(bearer(org.apiKey)).send({ url: 'http://127.0.0.1:9/hooks' }).expect(201);
    assert.equal((res.body as { endpoint: EndpointBody }).endpoint.url, 'http://127.0.0.1:9/hooks');
    const still = await request(lab.app).post('/api/v1/webhook-endpoints').set(bearer(org.apiKey)).send({ url: 'http://10.0.0.1/' }).expect(400);
    assert.equal((still.body as ErrorBody).error.code, 'WEBHOOK_URL_FORBIDDEN');
    await lab.triggers.close();
  });
});

describe('webhook endpoints API: update and delete', () => {
  it('disables by hand and re-enabling clears the disabled state and the failing run', async () => {
    const { endpoint } = await create({ url: 'https://93.184.215.14/toggle' });
    await ctx.triggers.webhooks.endpoints.recordResult(org.orgId, endpoint.id, { outcome: 'retry', durationMs: 1 }, new Date());
    const off = (await api('patch', `/webhook-endpoints/${endpoint.id}`).send({ enabled: false, description: 'paused' }).expect(200)).body as EndpointBody;
    assert.equal(off.enabled, false);
    assert.equal(off.disabledReason, 'manual');
    assert.ok(off.disabledAt !== null && off.failingSince !== null);
    assert.equal(off.description, 'paused');
    const on = (await api('patch', `/webhook-endpoints/${endpoint.id}`).send({ enabled: true, eventTypes: ['portal.login'] }).expect(200)).body as EndpointBody;
    assert.deepEqual([on.enabled, on.disabledReason, on.disabledAt, on.failingSince, on.eventTypes], [true, null, null, null, ['portal.login']]);
  });

  it('deletes an endpoint and its secrets', async () => {
    const { endpoint } = await create({ url: 'https://93.184.215.14/delete-me' });
    await api('delete', `/webhook-endpoints/${endpoint.id}`).expect(204);
    await api('get', `/webhook-endpoints/${endpoint.id}`).expect(404);
    await api('delete', `/webhook-endpoints/${endpoint.id}`).expect(404);
    const { rows } = await ctx.database.pool.query('SELECT 1 FROM webhook_endpoint_secrets WHERE endpoint_id = $1', [endpoint.id]);
    assert.equal(rows.length, 0);
  });

  it('answers 404 for a malformed id', async () => {
    await api('get', '/webhook-endpoints/not-a-uuid').expect(404);
    await api('patch', '/webhook-endpoints/not-a-uuid').send({ enabled: true }).expect(404);
  });
});

describe('webhook endpoints API: tenant isolation', () => {
  it("hides one organisation's endpoints from another", async () => {
    const { endpoint } = await create({ url: 'https://93.184.215.14/mine' });
    const theirs = (await api('get', '/webhook-endpoints', other).expect(200)).body as { items: EndpointBody[] };
    assert.equal(theirs.items.some((e) => e.id === endpoint.id), false);
    await api('get', `/webhook-endpoints/${endpoint.id}`, other).expect(404);
    await api('patch', `/webhook-endpoints/${endpoint.id}`, other).send({ enabled: false }).expect(404);
    await api('post', `/webhook-endpoints/${endpoint.id}/rotate-secret`, other).send({}).expect(404);
    await api('delete', `/webhook-endpoints/${endpoint.id}`, other).expect(404);
    assert.equal(await ctx.triggers.webhooks.endpoints.get(other.orgId, endpoint.id), undefined);
    assert.equal(((await api('get', `/webhook-endpoints/${endpoint.id}`).expect(200)).body as EndpointBody).enabled, true);
  });

  it('requires the API key', async () => {
    await request(ctx.app).get('/api/v1/webhook-endpoints').expect(401);
  });
});
