import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { createPortalTestContext, formOf, omadaLanding, signInWithCode, type PortalTestContext } from '../helpers/portal.js';

const PHONE = '+447400123777';
const MAC = '3C-22-FB-11-22-33';

interface ConsentRow {
  purpose: string;
  granted: boolean;
  method: string;
  text_version: string;
  venue_id: string | null;
  gateway_id: string | null;
}

describe('portal: a returning visitor stops marketing messages on the welcome-back page', () => {
  let ctx: PortalTestContext;

  before(async () => {
    ctx = await createPortalTestContext();
    await signInWithCode(ctx, { mac: MAC, phone: PHONE, consents: { terms: 'yes', smsMarketing: 'yes' } });
  });
  after(async () => ctx.close());

  const land = async (lang = 'en') => {
    const page = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding(MAC)).set('Accept-Language', lang);
    assert.equal(page.status, 200);
    assert.match(page.text, /\/stop-marketing"/, 'the welcome-back page offers the form');
    return { page, ...formOf(page.text) };
  };
  const smsConsents = async () =>
    (
      await ctx.database.pool.query<ConsentRow>(
        "SELECT purpose, granted, method, text_version, venue_id, gateway_id FROM consent_events WHERE purpose = 'sms_marketing' ORDER BY recorded_at",
      )
    ).rows;

  it('refuses a wrong CSRF token inline and records nothing', async () => {
    const { flowId } = await land();
    const res = await supertest(ctx.app).post(`/portal/f/${flowId}/stop-marketing`).type('form').send({ _csrf: 'wrong' });
    assert.equal(res.status, 403);
    assert.match(res.text, /This form expired/);
    assert.deepEqual((await smsConsents()).map((r) => r.method), ['portal_form']);
  });

  it('withdraws SMS marketing for the bound visitor and confirms on the same page', async () => {
    const { flowId, csrf } = await land();
    const res = await supertest(ctx.app).post(`/portal/f/${flowId}/stop-marketing`).type('form').send({ _csrf: csrf });
    assert.equal(res.status, 200);
    assert.match(res.text, /will not send you marketing messages any more/);
    assert.match(res.text, /role="status"/);
    assert.ok(!res.text.includes('/stop-marketing"'), 'the form is replaced by the confirmation');
    assert.match(res.text, new RegExp(`action="/portal/f/${flowId}/connect"`), 'the visitor can still connect');

    const rows = await smsConsents();
    assert.deepEqual(rows.at(-1), {
      purpose: 'sms_marketing',
      granted: false,
      method: 'portal_preferences',
      text_version: 'portal-preferences',
      venue_id: ctx.org.venueId,
      gateway_id: ctx.gatewayId,
    });

    const connect = await supertest(ctx.app).post(`/portal/f/${flowId}/connect`).type('form').send({ _csrf: csrf });
    assert.equal(connect.status, 303, 'connecting afterwards works as before');
    const logins = await ctx.database.pool.query<{ consents: { sms_marketing: boolean } }>(
      "SELECT consents FROM portal_logins WHERE method = 'returning_device' ORDER BY logged_in_at DESC LIMIT 1",
    );
    assert.equal(logins.rows[0]?.consents.sms_marketing, false, 'the login records the withdrawn state');
  });

  it('speaks the visitor\'s language', async () => {
    const { page, flowId, csrf } = await land('ru');
    assert.match(page.text, /Не присылать рекламу/);
    const res = await supertest(ctx.app).post(`/portal/f/${flowId}/stop-marketing`).type('form').send({ _csrf: csrf });
    assert.equal(res.status, 200);
    assert.match(res.text, /больше не будет присылать вам рекламные сообщения/);
  });

  it('is only for the welcome-back step', async () => {
    const landing = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding('3C-22-FB-99-88-77'));
    const { flowId, csrf } = formOf(landing.text);
    assert.ok(!landing.text.includes('/stop-marketing"'), 'a new device is not offered the form');
    const res = await supertest(ctx.app).post(`/portal/f/${flowId}/stop-marketing`).type('form').send({ _csrf: csrf });
    assert.equal(res.status, 410);
  });
});
