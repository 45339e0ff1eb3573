import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { bearer, newOrg } from '../helpers/factories.js';
import { createPortalTestContext, formOf, newOmadaGateway, omadaLanding, signInWithCode, type PortalTestContext } from '../helpers/portal.js';

const MAC = '70-8A-09-65-4D-EC';
const PHONE = '+447400123123';

describe('captive portal flow (Omada gateway, Twilio Verify)', () => {
  let ctx: PortalTestContext;
  before(async () => {
    ctx = await createPortalTestContext();
  });
  after(async () => ctx.close());

  it('verifies a phone, records consents and the login, and lets the device on through the controller', async () => {
    const { flowId, final } = await signInWithCode(ctx, { mac: MAC, phone: PHONE, consents: { terms: 'yes', smsMarketing: 'yes' } });
    assert.equal(final.status, 303);
    assert.equal(final.headers.location, `/portal/f/${flowId}`);
    const online = await supertest(ctx.app).get(`/portal/f/${flowId}`);
    assert.equal(online.status, 303, 'an online flow sends the browser where it was going');
    assert.equal(online.headers.location, 'http://example.com/wanted');

    const auth = ctx.omada.authorised.at(-1)?.body ?? {};
    assert.equal(auth.clientMac, MAC);
    assert.equal(auth.time, 1440 * 60_000, 'default session of one day, in ms');

    const db = ctx.database.pool;
    const consents = await db.query<{ purpose: string; granted: boolean; text_version: string; venue_id: string; gateway_id: string; method: string }>(
      'SELECT purpose, granted, text_version, venue_id, gateway_id, method FROM consent_events ORDER BY purpose',
    );
    assert.deepEqual(
      consents.rows.map((r) => [r.purpose, r.granted]),
      [
        ['crm_sharing', false],
        ['sms_marketing', true],
        ['terms', true],
      ],
    );
    for (const row of consents.rows) {
      assert.equal(row.text_version, 'passby-default-1');
      assert.equal(row.venue_id, ctx.org.venueId);
      assert.equal(row.gateway_id, ctx.gatewayId);
      assert.equal(row.method, 'portal_form');
    }
    const logins = await db.query<{ method: string; phone: string; device_hash: string }>('SELECT method, phone, device_hash FROM portal_logins');
    assert.deepEqual(logins.rows.map((r) => r.method), ['sms_code']);
    assert.ok(logins.rows.every((r) => /^[0-9a-f]{64}$/.test(r.device_hash)));
  });

  it('never stores the raw MAC anywhere in the database', async () => {
    const tables = await ctx.database.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    const needles = [MAC, MAC.toLowerCase(), MAC.replace(/-/g, ':').toLowerCase(), MAC.replace(/-/g, '').toLowerCase()];
    for (const { table_name: table } of tables.rows) {
      const { rows } = await ctx.database.pool.query<{ t: string }>(`SELECT t::text AS t FROM "${table}" t`);
      for (const row of rows) for (const needle of needles) assert.ok(!row.t.toLowerCase().includes(needle), `${table} holds the MAC`);
    }
  });

  it('recognises the device at another venue of the same organisation and lets it on without a code', async () => {
    const venue = await ctx.services.venues.create(ctx.org.orgId, { name: 'Second venue', timezone: 'Europe/London' });
    const otherGateway = await newOmadaGateway(ctx.services, ctx.org.orgId, venue.id, ctx.omada);
    const sent = ctx.twilio.requests.length;
    const landing = await supertest(ctx.app).get(`/portal/omada/${otherGateway}`).query(omadaLanding(MAC));
    assert.equal(landing.status, 200);
    assert.match(landing.text, /Welcome back, \+44/);
    assert.ok(!landing.text.includes('123123'), 'the full number is not shown');
    assert.match(landing.text, /Not you\?/);
    const { flowId, csrf } = formOf(landing.text);
    const connect = await supertest(ctx.app).post(`/portal/f/${flowId}/connect`).type('form').send({ _csrf: csrf });
    assert.equal(connect.status, 303);
    assert.equal(ctx.twilio.requests.length, sent, 'no SMS for a returning device');
    assert.equal(ctx.omada.authorised.at(-1)?.body.clientMac, MAC);
    const { rows } = await ctx.database.pool.query<{ method: string; venue_id: string }>(
      'SELECT method, venue_id FROM portal_logins ORDER BY logged_in_at DESC LIMIT 1',
    );
    assert.deepEqual(rows[0], { method: 'returning_device', venue_id: venue.id });
  });

  it('does not recognise the same device in another organisation', async () => {
    const other = await newOrg(ctx.services);
    const gateway = await newOmadaGateway(ctx.services, other.orgId, other.venueId, ctx.omada);
    const landing = await supertest(ctx.app).get(`/portal/omada/${gateway}`).query(omadaLanding(MAC));
    assert.match(landing.text, /name="phone"/);
    assert.doesNotMatch(landing.text, /Welcome back/);
  });

  it('"not me" unbinds the device and asks for a number', async () => {
    const mac = '70-8A-09-65-4D-01';
    await signInWithCode(ctx, { mac, phone: '+447400123124' });
    const landing = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding(mac));
    const { flowId, csrf } = formOf(landing.text);
    const notMe = await supertest(ctx.app).post(`/portal/f/${flowId}/not-me`).type('form').send({ _csrf: csrf });
    assert.equal(notMe.status, 303);
    const page = await supertest(ctx.app).get(`/portal/f/${flowId}`);
    assert.match(page.text, /name="phone"/);
    const again = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding(mac));
    assert.doesNotMatch(again.text, /Welcome back/);
  });

  it('asks for a code again once the recognition window has passed', async () => {
    const mac = '70-8A-09-65-4D-02';
    await signInWithCode(ctx, { mac, phone: '+447400123125' });
    await ctx.database.pool.query("UPDATE device_bindings SET last_login_at = now() - interval '31 days'");
    const landing = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding(mac));
    assert.doesNotMatch(landing.text, /Welcome back/);
    await supertest(ctx.app)
      .put('/api/v1/portal/settings')
      .set(bearer(ctx.org.apiKey))
      .send({ recognitionDays: 60 })
      .expect(200);
    const within = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding(mac));
    assert.match(within.text, /Welcome back/);
  });

  it('explains per-network private addresses when the MAC is randomised', async () => {
    const landing = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding('DA-A1-19-00-00-01'));
    assert.match(landing.text, /private Wi-Fi address/);
    const global = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding('00-1B-63-00-00-01'));
    assert.doesNotMatch(global.text, /private Wi-Fi address/);
  });

  it('refuses a consent form without the terms and keeps the visitor offline', async () => {
    const { final } = await signInWithCode(ctx, { mac: '00-1B-63-00-00-02', phone: '+447400123126', consents: {} });
    assert.equal(final.status, 400);
    assert.match(final.text, /Please check the form/);
    assert.match(final.text, /name="terms"/);
  });

  it('only continues to http(s) origin URLs, never to a script or another scheme', async () => {
    const agent = supertest(ctx.app);
    const landing = await agent.get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding('00-1B-63-00-00-03', { redirectUrl: 'javascript:alert(1)' }));
    const { flowId, csrf } = formOf(landing.text);
    await agent.post(`/portal/f/${flowId}/phone`).type('form').send({ _csrf: csrf, phone: '+447400123127' }).expect(303);
    await agent.post(`/portal/f/${flowId}/code`).type('form').send({ _csrf: csrf, code: ctx.twilio.codes.get('+447400123127') }).expect(303);
    await agent.post(`/portal/f/${flowId}/consent`).type('form').send({ _csrf: csrf, terms: 'yes' }).expect(303);
    const online = await agent.get(`/portal/f/${flowId}`);
    assert.equal(online.status, 200);
    assert.match(online.text, /You&#x27;re online|You're online/);
    assert.doesNotMatch(online.text, /javascript:/);
  });

  it('exports the login log of one phone as JSON and CSV', async () => {
    const json = await supertest(ctx.app).get('/api/v1/portal/logins').query({ phone: '+44 7400 123123' }).set(bearer(ctx.org.apiKey)).expect(200);
    const body = json.body as { phone: string; logins: { method: string }[]; consents: { purpose: string }[] };
    assert.equal(body.phone, PHONE);
    assert.deepEqual(body.logins.map((l) => l.method), ['sms_code', 'returning_device']);
    assert.equal(body.consents.length, 3);
    const csv = await supertest(ctx.app).get('/api/v1/portal/logins').query({ phone: PHONE, format: 'csv' }).set(bearer(ctx.org.apiKey)).expect(200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.equal(csv.text.trim().split('\r\n').length, 3);
    const other = await newOrg(ctx.services);
    const foreign = await supertest(ctx.app).get('/api/v1/portal/logins').query({ phone: PHONE }).set(bearer(other.apiKey)).expect(200);
    assert.deepEqual((foreign.body as { logins: unknown[] }).logins, [], 'another organisation sees nothing');
  });
});
