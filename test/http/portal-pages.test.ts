import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { createRedisFactory } from '../../src/queue/connection.js';
import { createLogger } from '../../src/shared/logger.js';
import { startFakeCrm, type FakeCrm } from '../fakes/crm.server.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { bearer, newOrg } from '../helpers/factories.js';
import { createPortalTestContext, formOf, newOmadaGateway, omadaLanding, signInWithCode, type PortalTestContext } from '../helpers/portal.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';

describe('captive portal pages', () => {
  let ctx: PortalTestContext;
  let crm: FakeCrm;
  before(async () => {
    [ctx, crm] = await Promise.all([createPortalTestContext(), startFakeCrm()]);
  });
  after(async () => Promise.all([ctx.close(), crm.close()]));

  const land = (mac: string, lang = 'en') => supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding(mac)).set('Accept-Language', lang);

  it('speaks Russian to a Russian browser, with a switch to English that keeps the flow', async () => {
    const ru = await land('00-1B-63-00-20-01', 'ru-RU,ru;q=0.9,en;q=0.5');
    assert.match(ru.text, /<html lang="ru">/);
    assert.match(ru.text, /Номер мобильного/);
    const { flowId } = formOf(ru.text);
    const en = await supertest(ctx.app).get(`/portal/f/${flowId}`).query({ lang: 'en' });
    assert.match(en.text, /Mobile number/);
    assert.equal(formOf(en.text).flowId, flowId);
    const fallback = await land('00-1B-63-00-20-02', 'de-DE,fr;q=0.8');
    assert.match(fallback.text, /<html lang="en">/);
  });

  it('serves pages small enough for a captive-network assistant, with no scripts', async () => {
    const page = await land('00-1B-63-00-20-03');
    assert.ok(Buffer.byteLength(page.text) < 50 * 1024, `${Buffer.byteLength(page.text)} bytes`);
    assert.doesNotMatch(page.text, /<script/i);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    assert.equal(page.headers['cache-control'], 'no-store');
  });

  it("applies the venue's branding and texts", async () => {
    await supertest(ctx.app)
      .put(`/api/v1/venues/${ctx.org.venueId}/portal`)
      .set(bearer(ctx.org.apiKey))
      .send({ branding: { primaryColour: '#aa0055', logoUrl: 'https://cdn.example/logo.png' }, texts: { en: { title: 'Café Wi-Fi' } } })
      .expect(200);
    const page = await land('00-1B-63-00-20-04');
    assert.match(page.text, /--p:#aa0055/);
    assert.match(page.text, /<img src="https:\/\/cdn\.example\/logo\.png"/);
    assert.match(page.text, /<h1>Café Wi-Fi<\/h1>/);
    const bad = await supertest(ctx.app)
      .put(`/api/v1/venues/${ctx.org.venueId}/portal`)
      .set(bearer(ctx.org.apiKey))
      .send({ branding: { primaryColour: 'red;}</style><script>' } });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
    const other = await newOrg(ctx.services);
    await supertest(ctx.app).get(`/api/v1/venues/${ctx.org.venueId}/portal`).set(bearer(other.apiKey)).expect(404);
  });

  it('answers the RFC 8908 API as captive until the device signed in', async () => {
    const before = await supertest(ctx.app).get(`/captive-portal/api/${ctx.gatewayId}`).set('Accept', 'application/captive+json');
    assert.equal(before.headers['content-type'], 'application/captive+json; charset=utf-8');
    const body = JSON.parse(before.text) as Record<string, unknown>;
    assert.equal(body.captive, true);
    assert.match(String(body['user-portal-url']), new RegExp(`/portal/g/${ctx.gatewayId}$`));
    await signInWithCode(ctx, { mac: '00-1B-63-00-20-05', phone: '+447400123501' });
    const afterLogin = JSON.parse((await supertest(ctx.app).get(`/captive-portal/api/${ctx.gatewayId}`)).text) as Record<string, unknown>;
    assert.equal(afterLogin.captive, false);
    assert.ok(Number(afterLogin['seconds-remaining']) > 86_000);
    const start = await supertest(ctx.app).get(`/portal/g/${ctx.gatewayId}`);
    assert.equal(start.status, 200);
  });

  it('offers the loyalty form to non-members who share with the CRM, and pushes a signed profile', async () => {
    await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({ crm: { url: crm.url }, crmSecret: crm.secret, sms: { resendCooldownSeconds: 0 } }).expect(200);
    const venue = await ctx.services.venues.create(ctx.org.orgId, { name: 'Loyal venue', timezone: 'Europe/London' });
    const gatewayId = await newOmadaGateway(ctx.services, ctx.org.orgId, venue.id, ctx.omada);
    await supertest(ctx.app).put(`/api/v1/venues/${venue.id}/portal`).set(bearer(ctx.org.apiKey)).send({ loyaltyForm: true }).expect(200);
    crm.known.set('+447400123502', { name: 'Ann' });

    const declined = await signInWithCode(ctx, { gatewayId, mac: '00-1B-63-00-20-06', phone: '+447400123503' });
    assert.equal(declined.final.headers.location, `/portal/f/${declined.flowId}`);
    assert.equal(crm.calls.length, 0, 'no CRM call without crm_sharing consent');

    const { flowId, final } = await signInWithCode(ctx, { gatewayId, mac: '00-1B-63-00-20-07', phone: '+447400123502', consents: { terms: 'yes', crmSharing: 'yes' } });
    assert.equal(final.status, 303);
    const form = await supertest(ctx.app).get(`/portal/f/${flowId}`);
    assert.match(form.text, /name="name"[^>]*value="Ann"/, 'pre-filled from the CRM');
    const { csrf } = formOf(form.text);
    const join = await supertest(ctx.app)
      .post(`/portal/f/${flowId}/loyalty`)
      .type('form')
      .send({ _csrf: csrf, action: 'join', name: 'Ann Lee', birthday: '1990-04-01', gender: 'female' });
    assert.equal(join.status, 303);
    const push = crm.calls.find((c) => c.path === '/members');
    assert.ok(push?.signed, 'the CRM verified our signature');
    assert.deepEqual(push.body.profile, { name: 'Ann Lee', birthday: '1990-04-01', gender: 'female' });
    assert.ok(crm.members.has('+447400123502'));

    const member = await signInWithCode(ctx, { gatewayId, mac: '00-1B-63-00-20-08', phone: '+447400123502', consents: { terms: 'yes', crmSharing: 'yes' } });
    const next = await supertest(ctx.app).get(`/portal/f/${member.flowId}`);
    assert.equal(next.status, 303, 'members go straight online');
  });

  it('keeps the visitor going online when the CRM is down', async () => {
    await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({ crm: { url: 'http://127.0.0.1:9' } }).expect(200);
    const venue = await ctx.services.venues.create(ctx.org.orgId, { name: 'CRM down venue', timezone: 'Europe/London' });
    const gatewayId = await newOmadaGateway(ctx.services, ctx.org.orgId, venue.id, ctx.omada);
    await supertest(ctx.app).put(`/api/v1/venues/${venue.id}/portal`).set(bearer(ctx.org.apiKey)).send({ loyaltyForm: true }).expect(200);
    const { flowId } = await signInWithCode(ctx, { gatewayId, mac: '00-1B-63-00-20-09', phone: '+447400123504', consents: { terms: 'yes', crmSharing: 'yes' } });
    const next = await supertest(ctx.app).get(`/portal/f/${flowId}`);
    assert.equal(next.status, 303);
  });
});

describe('captive portal without an SMS provider (development)', () => {
  it('shows the code on the page instead of sending it, and never logs phone, code or MAC', async () => {
    const database = await createTestDatabase();
    const prefix = testPrefix();
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _e, done) => {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = testConfig({ NODE_ENV: 'development', DATABASE_URL: database.url, QUEUE_PREFIX: prefix });
    const factory = createRedisFactory(TEST_REDIS_URL);
    try {
      const { app, services } = buildTestApp(config, database, factory.create('client'), createLogger('debug', sink));
      const org = await newOrg(services);
      const { gateway } = await services.gateways.create(org.orgId, {
        kind: 'omada', venueId: org.venueId, name: 'AP', controllerUrl: 'https://127.0.0.1:1', operatorUsername: 'op', operatorPassword: 'pw',
      });
      const landing = await supertest(app).get(`/portal/omada/${gateway.id}`).query(omadaLanding('70-8A-09-65-4D-77'));
      const { flowId, csrf } = formOf(landing.text);
      await supertest(app).post(`/portal/f/${flowId}/phone`).type('form').send({ _csrf: csrf, phone: '+447400123599' }).expect(303);
      const page = await supertest(app).get(`/portal/f/${flowId}`);
      const code = /Your code is (\d{6})/.exec(page.text)?.[1];
      assert.ok(code, 'development mode shows the code');
      await supertest(app).post(`/portal/f/${flowId}/code`).type('form').send({ _csrf: csrf, code }).expect(303);
      const all = lines.join('');
      assert.ok(all.length > 0, 'the request log was captured');
      for (const secret of ['7400123599', code, '70-8A-09-65-4D-77', '70:8a:09:65:4d:77', '708a09654d77']) {
        assert.ok(!all.toLowerCase().includes(secret.toLowerCase()), `log holds ${secret}`);
      }
    } finally {
      await factory.closeAll();
      await deletePrefix(prefix);
      await database.drop();
    }
  });
});
