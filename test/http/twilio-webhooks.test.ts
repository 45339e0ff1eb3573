import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { newId } from '../../src/shared/ids.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { createPhoneHasher } from '../../src/triggers/phone-hash.js';
import { inboundIntent } from '../../src/triggers/sms/keywords.js';
import type { VisitorView } from '../../src/triggers/visitors/visitor.service.js';
import { createTestContext } from '../helpers/context.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';
import { createPortalTestContext, type PortalTestContext } from '../helpers/portal.js';
import { signedForm } from '../fakes/twilio.server.js';

const PUBLIC_URL = 'https://wifi.example.com';
const INBOUND = `${PUBLIC_URL}/webhooks/twilio/inbound`;
const STATUS = `${PUBLIC_URL}/webhooks/twilio/status`;
const hashPhone = createPhoneHasher(TEST_SECRET_KEY);

interface ConsentJson {
  purpose: string;
  granted: boolean;
  method: string;
  textVersion: string;
}

async function seedVisitor(ctx: PortalTestContext, orgId: string, phone: string, smsMarketing: boolean): Promise<string> {
  const visitors = new VisitorRepository(ctx.database.pool);
  const visitor = await visitors.upsert({ id: newId(), orgId, phone }, new Date());
  const base = { textVersion: 'v1', venueId: null, gatewayId: null, method: 'portal_form' as const };
  await visitors.recordConsents(orgId, visitor.id, [{ id: newId(), purpose: 'sms_marketing', granted: smsMarketing, ...base }], new Date(Date.now() - 60_000));
  return visitor.id;
}

async function suppressions(ctx: PortalTestContext, phone: string): Promise<{ org_id: string | null; reason: string }[]> {
  const { rows } = await ctx.database.pool.query<{ org_id: string | null; reason: string }>(
    'SELECT org_id, reason FROM sms_suppressions WHERE phone_hash = $1 ORDER BY reason',
    [hashPhone(phone)],
  );
  return rows;
}

describe('Twilio callbacks: signatures, STOP/START replies, delivery status', () => {
  let ctx: PortalTestContext;
  let other: TestOrg;
  const view = async (org: TestOrg, id: string) => (await supertest(ctx.app).get(`/api/v1/visitors/${id}`).set(bearer(org.apiKey)).expect(200)).body as VisitorView;
  const history = async (org: TestOrg, id: string) =>
    ((await supertest(ctx.app).get(`/api/v1/visitors/${id}/consents`).set(bearer(org.apiKey)).expect(200)).body as { items: ConsentJson[] }).items;
  const post = (path: string, form: { headers: Record<string, string>; body: string }) => supertest(ctx.app).post(path).set(form.headers).send(form.body);

  before(async () => {
    ctx = await createPortalTestContext({ PUBLIC_URL });
    other = await newOrg(ctx.services);
  });
  after(async () => ctx.close());

  it('refuses unsigned, wrongly signed and re-targeted callbacks with 403 and changes nothing', async () => {
    const phone = '+447400100001';
    const visitorId = await seedVisitor(ctx, ctx.org.orgId, phone, true);
    const params = { From: phone, Body: 'STOP', AccountSid: ctx.twilio.accountSid, MessageSid: 'SM1' };
    const unsigned = await supertest(ctx.app).post('/webhooks/twilio/inbound').type('form').send(params);
    assert.equal(unsigned.status, 403);
    const wrongKey = await post('/webhooks/twilio/inbound', signedForm('not-the-auth-token', INBOUND, params));
    assert.equal(wrongKey.status, 403);
    const otherUrl = await post('/webhooks/twilio/inbound', ctx.twilio.signedForm(`${PUBLIC_URL}/elsewhere`, params));
    assert.equal(otherUrl.status, 403);
    const tampered = ctx.twilio.signedForm(INBOUND, { ...params, Body: 'hello' });
    const forged = await post('/webhooks/twilio/inbound', { ...tampered, body: new URLSearchParams(params).toString() });
    assert.equal(forged.status, 403, 'a signature over other parameters does not cover these');
    const badStatus = await post('/webhooks/twilio/status', signedForm('nope', STATUS, { MessageSid: 'SM1', MessageStatus: 'delivered' }));
    assert.equal(badStatus.status, 403);

    assert.equal((await view(ctx.org, visitorId)).consent.sms_marketing, true);
    assert.deepEqual(await suppressions(ctx, phone), []);
  });

  it('a STOP reply withdraws SMS marketing in every organisation holding the number and suppresses it everywhere', async () => {
    const phone = '+447400100002';
    const mine = await seedVisitor(ctx, ctx.org.orgId, phone, true);
    const theirs = await seedVisitor(ctx, other.orgId, phone, true);
    const bystander = await seedVisitor(ctx, ctx.org.orgId, '+447400100003', true);

    const res = await post('/webhooks/twilio/inbound', ctx.twilio.inboundSms(INBOUND, { from: phone, body: '  Stop All \n' }));
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/xml/);
    assert.equal(res.text, '<?xml version="1.0" encoding="UTF-8"?><Response/>');

    for (const [org, id] of [[ctx.org, mine], [other, theirs]] as const) {
      const last = (await history(org, id)).at(-1);
      assert.deepEqual([last?.purpose, last?.granted, last?.method, last?.textVersion], ['sms_marketing', false, 'sms_stop', 'sms-reply']);
      const seen = await view(org, id);
      assert.equal(seen.consent.sms_marketing, false);
      assert.equal(seen.smsSuppressed, true);
    }
    assert.deepEqual(await suppressions(ctx, phone), [{ org_id: null, reason: 'stop_reply' }]);
    const untouched = await view(ctx.org, bystander);
    assert.deepEqual([untouched.consent.sms_marketing, untouched.smsSuppressed], [true, false]);
  });

  it('ignores messages that are not a keyword on their own', async () => {
    const phone = '+447400100004';
    const id = await seedVisitor(ctx, ctx.org.orgId, phone, true);
    const res = await post('/webhooks/twilio/inbound', ctx.twilio.inboundSms(INBOUND, { from: phone, body: 'please stop by later' }));
    assert.equal(res.status, 200);
    const seen = await view(ctx.org, id);
    assert.deepEqual([seen.consent.sms_marketing, seen.smsSuppressed], [true, false]);
  });

  it('START after STOP re-grants SMS marketing and lifts the global suppression, but not an organisation\'s own', async () => {
    const phone = '+447400100005';
    const mine = await seedVisitor(ctx, ctx.org.orgId, phone, true);
    const theirs = await seedVisitor(ctx, other.orgId, phone, true);
    await supertest(ctx.app).post('/api/v1/sms-suppressions').set(bearer(other.apiKey)).send({ phone }).expect(201);
    await post('/webhooks/twilio/inbound', ctx.twilio.inboundSms(INBOUND, { from: phone, body: 'STOP' })).expect(200);
    const res = await post('/webhooks/twilio/inbound', ctx.twilio.inboundSms(INBOUND, { from: phone, body: 'unstop' }));
    assert.equal(res.status, 200);

    assert.deepEqual(
      (await history(ctx.org, mine)).map((e) => `${e.method}:${String(e.granted)}`),
      ['portal_form:true', 'sms_stop:false', 'sms_start:true'],
    );
    const seen = await view(ctx.org, mine);
    assert.deepEqual([seen.consent.sms_marketing, seen.smsSuppressed], [true, false]);
    const theirView = await view(other, theirs);
    assert.deepEqual([theirView.consent.sms_marketing, theirView.smsSuppressed], [true, true], 'the admin suppression of the other org stays');
    assert.deepEqual(await suppressions(ctx, phone), [{ org_id: other.orgId, reason: 'admin' }]);
  });

  describe('status callbacks', () => {
    async function seedDelivery(providerId: string): Promise<string> {
      const db = ctx.database.pool;
      const decisionId = newId();
      const deliveryId = newId();
      const now = new Date();
      await db.query(
        `INSERT INTO trigger_decisions (id, org_id, rule_id, rule_version, event_id, event_type, outcome, trace, occurred_at, decided_at)
         VALUES ($1, $2, $3, 1, $4, 'presence.entered', 'fired', '[]', $5, $5)`,
        [decisionId, ctx.org.orgId, newId(), `ev-${providerId}`, now],
      );
      await db.query(
        `INSERT INTO trigger_deliveries (id, org_id, decision_id, rule_id, channel, status, payload, attempts, provider_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'sms', 'delivered', '{"body":"hi"}', 1, $5, $6, $6)`,
        [deliveryId, ctx.org.orgId, decisionId, newId(), providerId, now],
      );
      return deliveryId;
    }
    const row = async (id: string) => {
      const { rows } = await ctx.database.pool.query<{ status: string; reason: string | null; delivered_at: Date | null }>(
        'SELECT status, reason, delivered_at FROM trigger_deliveries WHERE id = $1',
        [id],
      );
      assert.ok(rows[0]);
      return rows[0];
    };

    it('delivered confirms the delivery; undelivered marks it failed with the Twilio error code', async () => {
      const ok = await seedDelivery('SMok');
      await post('/webhooks/twilio/status', ctx.twilio.statusCallback(STATUS, { messageSid: 'SMok', status: 'delivered', to: '+447400100006' })).expect(200);
      const delivered = await row(ok);
      assert.equal(delivered.status, 'delivered');
      assert.ok(delivered.delivered_at instanceof Date);

      const lost = await seedDelivery('SMlost');
      await post('/webhooks/twilio/status', ctx.twilio.statusCallback(STATUS, { messageSid: 'SMlost', status: 'sent', to: '+447400100006' })).expect(200);
      assert.equal((await row(lost)).status, 'delivered', 'an intermediate status changes nothing');
      await post('/webhooks/twilio/status', ctx.twilio.statusCallback(STATUS, { messageSid: 'SMlost', status: 'undelivered', to: '+447400100006', errorCode: 30003 })).expect(200);
      const failed = await row(lost);
      assert.equal(failed.status, 'failed');
      assert.match(failed.reason ?? '', /undelivered.*30003/);
      assert.deepEqual(await suppressions(ctx, '+447400100006'), []);
    });

    it('error 21610 fails the delivery and suppresses the number for every organisation', async () => {
      const phone = '+447400100007';
      const visitorId = await seedVisitor(ctx, other.orgId, phone, true);
      const id = await seedDelivery('SMunsub');
      await post('/webhooks/twilio/status', ctx.twilio.statusCallback(STATUS, { messageSid: 'SMunsub', status: 'failed', to: phone, errorCode: 21610 })).expect(200);
      assert.equal((await row(id)).status, 'failed');
      assert.deepEqual(await suppressions(ctx, phone), [{ org_id: null, reason: 'carrier_unsubscribed' }]);
      assert.equal((await view(other, visitorId)).smsSuppressed, true);
    });
  });
});

describe('Twilio callbacks without Twilio configured', () => {
  it('are not routes at all (404), signed or not', async () => {
    const ctx = await createTestContext();
    try {
      const form = signedForm('any-token', `${ctx.config.publicUrl}/webhooks/twilio/inbound`, { From: '+447400100008', Body: 'STOP' });
      const res = await supertest(ctx.app).post('/webhooks/twilio/inbound').set(form.headers).send(form.body);
      assert.equal(res.status, 404);
      const status = await supertest(ctx.app).post('/webhooks/twilio/status').type('form').send({ MessageSid: 'SM1' });
      assert.equal(status.status, 404);
    } finally {
      await ctx.close();
    }
  });
});

describe('inbound keywords', () => {
  it('reads the STOP and START families as the whole message, whatever the case and spacing', () => {
    for (const word of ['stop', 'STOPALL', 'Stop All', 'unsubscribe', 'CANCEL', 'end', 'quit', 'revoke', 'opt out', ' optout\n']) {
      assert.equal(inboundIntent(word), 'stop', word);
    }
    for (const word of ['start', 'UNSTOP', 'Yes ']) assert.equal(inboundIntent(word), 'start', word);
    for (const text of ['stop it', 'yes please', 'help', '', 'STOP!']) assert.equal(inboundIntent(text), 'other', text);
  });

  it("trusts Twilio's Advanced Opt-Out reading for keywords configured in the console", () => {
    assert.equal(inboundIntent('ARRET', 'STOP'), 'stop');
    assert.equal(inboundIntent('ALLEZ', 'START'), 'start');
    assert.equal(inboundIntent('INFO', 'HELP'), 'other');
  });
});
