import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { bearer } from '../helpers/factories.js';
import { createPortalTestContext, formOf, omadaLanding, type PortalTestContext } from '../helpers/portal.js';

describe('captive portal abuse limits and input checks', () => {
  let ctx: PortalTestContext;
  let mac = 0;
  const nextMac = () => `00-1B-63-00-10-${(++mac).toString(16).padStart(2, '0').toUpperCase()}`;
  const land = async (query: Record<string, string> = omadaLanding(nextMac()), lang = 'en') =>
    supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(query).set('Accept-Language', lang);
  const post = (flowId: string, step: string, form: Record<string, string>) => supertest(ctx.app).post(`/portal/f/${flowId}/${step}`).type('form').send(form);

  before(async () => {
    ctx = await createPortalTestContext();
  });
  after(async () => ctx.close());

  it('refuses landlines and premium numbers before any SMS is sent', async () => {
    const { flowId, csrf } = formOf((await land()).text);
    const sent = ctx.twilio.requests.length;
    const landline = await post(flowId, 'phone', { _csrf: csrf, phone: '+44 20 7946 0321' });
    assert.equal(landline.status, 400);
    assert.match(landline.text, /enter a mobile number/);
    assert.match(landline.text, /value="\+44 20 7946 0321"/, 'the typed number is kept');
    assert.equal(ctx.twilio.requests.length, sent);
  });

  it("applies the organisation's country allow-list", async () => {
    await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({ allowedCountries: ['GB'] }).expect(200);
    try {
      const { flowId, csrf } = formOf((await land()).text);
      const ru = await post(flowId, 'phone', { _csrf: csrf, phone: '+7 912 345-67-89' });
      assert.equal(ru.status, 400);
      assert.match(ru.text, /not accepted here/);
      const national = await post(flowId, 'phone', { _csrf: csrf, phone: '07400 123401' });
      assert.equal(national.status, 303, 'a national number is read in the first allowed country');
      assert.ok(ctx.twilio.codes.has('+447400123401'));
    } finally {
      await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({}).expect(200);
    }
  });

  it('enforces the resend cooldown and says when to try again', async () => {
    const { flowId, csrf } = formOf((await land()).text);
    await post(flowId, 'phone', { _csrf: csrf, phone: '+447400123402' }).expect(303);
    const resend = await post(flowId, 'resend', { _csrf: csrf });
    assert.equal(resend.status, 429);
    assert.match(resend.text, /Too many codes were requested\. Try again in \d+ s\./);
  });

  it('counts wrong codes and stops guessing after five', async () => {
    const { flowId, csrf } = formOf((await land()).text);
    await post(flowId, 'phone', { _csrf: csrf, phone: '+447400123403' }).expect(303);
    const first = await post(flowId, 'code', { _csrf: csrf, code: '000000' });
    assert.equal(first.status, 400);
    assert.match(first.text, /The code is not correct\. Attempts left: 4\./);
    for (let i = 0; i < 4; i++) await post(flowId, 'code', { _csrf: csrf, code: '000000' });
    const right = ctx.twilio.codes.get('+447400123403') ?? '';
    const sixth = await post(flowId, 'code', { _csrf: csrf, code: right });
    assert.equal(sixth.status, 429, 'even the right code is refused once the attempts are spent');
    const logins = await ctx.database.pool.query("SELECT 1 FROM portal_logins WHERE phone = '+447400123403'");
    assert.equal(logins.rowCount, 0);
  });

  it('caps codes per phone per day across flows and devices', async () => {
    await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({ sms: { resendCooldownSeconds: 0, perPhonePerDay: 2 } }).expect(200);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { flowId, csrf } = formOf((await land()).text);
        statuses.push((await post(flowId, 'phone', { _csrf: csrf, phone: '+447400123404' })).status);
      }
      assert.deepEqual(statuses, [303, 303, 429]);
    } finally {
      await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({}).expect(200);
    }
  });

  it('stops all SMS when the monthly budget is spent', async () => {
    await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({ sms: { perOrgPerMonth: 0 } }).expect(200);
    try {
      const { flowId, csrf } = formOf((await land()).text);
      const res = await post(flowId, 'phone', { _csrf: csrf, phone: '+447400123405' });
      assert.equal(res.status, 503);
      assert.match(res.text, /not available right now/);
    } finally {
      await supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({}).expect(200);
    }
  });

  it('refuses a POST without the CSRF token of its flow', async () => {
    const a = formOf((await land()).text);
    const b = formOf((await land()).text);
    const none = await post(a.flowId, 'phone', { phone: '+447400123406' });
    assert.equal(none.status, 403);
    const foreign = await post(a.flowId, 'phone', { _csrf: b.csrf, phone: '+447400123406' });
    assert.equal(foreign.status, 403);
    assert.ok(!ctx.twilio.codes.has('+447400123406'));
  });

  it('answers bad, forged or unknown landings with a clear page, never a stack trace', async () => {
    const garbage = await land({ clientMac: 'not-a-mac', apMac: 'x' });
    assert.equal(garbage.status, 400);
    assert.match(garbage.text, /sign-in link is not valid/);
    assert.doesNotMatch(garbage.text, /at .*\.ts:\d+/);
    const unknown = await supertest(ctx.app).get('/portal/omada/6b1f4f0e-0000-4000-8000-000000000000').query(omadaLanding(nextMac()));
    assert.equal(unknown.status, 404);
    const wrongKind = await supertest(ctx.app).get(`/portal/opennds/${ctx.gatewayId}`).query({ fas: 'abc' });
    assert.equal(wrongKind.status, 404);
    const expired = await supertest(ctx.app).get('/portal/f/AAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(expired.status, 410);
    assert.match(expired.text, /expired/);
    const expiredPost = await post('AAAAAAAAAAAAAAAAAAAAAAAA', 'phone', { _csrf: 'x', phone: '1' });
    assert.equal(expiredPost.status, 410);
  });
});
