import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import twilio from 'twilio';
import type { TwilioConfig } from '../../src/config.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { systemClock } from '../../src/shared/clock.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { createPhoneHasher } from '../../src/triggers/phone-hash.js';
import { createSms } from '../../src/triggers/sms/index.js';
import { createOptOutTokens } from '../../src/triggers/sms/opt-out-token.js';
import { classifySmsError, createTwilioSmsSender } from '../../src/triggers/sms/twilio.sms-sender.js';
import { createTestContext, testConfig, type TestContext } from '../helpers/context.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.server.js';

const logger = createLogger('silent');
const hashPhone = createPhoneHasher(TEST_SECRET_KEY);
const CALLBACK = 'https://wifi.example.com/webhooks/twilio/status';

describe('Twilio SMS sender (real SDK against the local fake)', () => {
  let fake: FakeTwilio;
  const twilioConfig = (overrides: Partial<TwilioConfig> = {}): TwilioConfig => ({
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    verifyServiceSid: undefined,
    messagingServiceSid: undefined,
    from: '+15005550006',
    apiBaseUrl: fake.url,
    ...overrides,
  });
  const sender = (overrides: Partial<TwilioConfig> = {}) => {
    const built = createTwilioSmsSender({ config: twilioConfig(overrides), logger, hashPhone });
    assert.ok(built);
    return built;
  };

  before(async () => {
    fake = await startFakeTwilio();
  });
  after(() => fake.close());

  it('sends from the configured number with the status callback and returns the message SID', async () => {
    const result = await sender().send({ to: '+447400300001', body: 'Welcome back! 10% off', statusCallbackUrl: CALLBACK });
    assert.equal(result.outcome, 'sent');
    assert.match(result.providerId ?? '', /^SM[0-9a-f]{32}$/);
    const sent = fake.messages.at(-1);
    assert.deepEqual(
      [sent?.sid, sent?.to, sent?.body, sent?.from, sent?.statusCallback],
      [result.providerId, '+447400300001', 'Welcome back! 10% off', '+15005550006', CALLBACK],
    );
  });

  it('prefers a Messaging Service over a From number', async () => {
    const result = await sender({ messagingServiceSid: `MG${'2'.repeat(32)}` }).send({ to: '+447400300002', body: 'hi' });
    assert.equal(result.outcome, 'sent');
    const sent = fake.messages.at(-1);
    assert.deepEqual([sent?.messagingServiceSid, sent?.from], [`MG${'2'.repeat(32)}`, undefined]);
  });

  it('classifies 21610 as unsubscribed, throttling and server errors as retry, other refusals as failed', async () => {
    fake.unsubscribed.add('+447400300003');
    fake.failures.set('+447400300004', { status: 429, code: 20429 });
    fake.failures.set('+447400300005', { status: 503, code: 20500 });
    fake.failures.set('+447400300006', { status: 400, code: 21211 });
    const s = sender();
    const unsubscribed = await s.send({ to: '+447400300003', body: 'x' });
    assert.deepEqual([unsubscribed.outcome, unsubscribed.errorCode], ['unsubscribed', 21610]);
    const throttled = await s.send({ to: '+447400300004', body: 'x' });
    assert.deepEqual([throttled.outcome, throttled.errorCode], ['retry', 20429]);
    const down = await s.send({ to: '+447400300005', body: 'x' });
    assert.deepEqual([down.outcome, down.errorCode], ['retry', 20500]);
    const refused = await s.send({ to: '+447400300006', body: 'x' });
    assert.deepEqual([refused.outcome, refused.errorCode], ['failed', 21211]);
    const refusedNumbers = ['+447400300003', '+447400300004', '+447400300005', '+447400300006'];
    assert.deepEqual(fake.messages.filter((m) => refusedNumbers.includes(m.to)), [], 'nothing was accepted for them');
  });

  it("keeps the number out of the recorded error even when Twilio's message quotes it", () => {
    const error = new twilio.RestException({ statusCode: 400, body: { code: 21211, message: "The 'To' number +447400300006 is not a valid phone number." } });
    const result = classifySmsError(error);
    assert.equal(result.outcome, 'failed');
    assert.match(result.error ?? '', /^Twilio 400 \(21211\): The 'To' number \[number\] is not a valid phone number\.$/);
  });

  it('retries when Twilio cannot be reached', async () => {
    const result = await sender({ apiBaseUrl: 'http://127.0.0.1:1' }).send({ to: '+447400300007', body: 'x' });
    assert.equal(result.outcome, 'retry');
    assert.equal(result.providerId, undefined);
  });

  it('is absent without Twilio or without a sender identity; the callback URL follows the public URL', () => {
    const deps = { db: undefined as never, redis: undefined as never, clock: systemClock, secretKey: TEST_SECRET_KEY, logger };
    const none = createSms({ ...deps, config: testConfig() });
    assert.equal(none.sender, undefined);
    assert.equal(none.statusCallbackUrl(), undefined);
    const noFrom = createSms({ ...deps, config: testConfig({ TWILIO_ACCOUNT_SID: fake.accountSid, TWILIO_AUTH_TOKEN: fake.authToken }) });
    assert.equal(noFrom.sender, undefined);
    const full = createSms({
      ...deps,
      config: testConfig({ TWILIO_ACCOUNT_SID: fake.accountSid, TWILIO_AUTH_TOKEN: fake.authToken, TWILIO_FROM: '+15005550006', PUBLIC_URL: 'https://wifi.example.com/' }),
    });
    assert.ok(full.sender);
    assert.equal(full.statusCallbackUrl(), CALLBACK);
  });
});

describe('opt-out tokens', () => {
  const tokens = createOptOutTokens(TEST_SECRET_KEY);
  const orgId = newId();
  const visitorId = newId();

  it('round-trip the ids in 56 URL-safe characters', () => {
    const token = tokens.sign(orgId, visitorId);
    assert.match(token, /^[A-Za-z0-9_-]{56}$/);
    assert.deepEqual(tokens.verify(token), { orgId, visitorId });
  });

  it('reject tampering, truncation and another key', () => {
    const token = tokens.sign(orgId, visitorId);
    const flipped = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    assert.equal(tokens.verify(flipped), undefined);
    assert.equal(tokens.verify(token.slice(0, 55)), undefined);
    assert.equal(tokens.verify(`${token}A`), undefined);
    assert.equal(createOptOutTokens('another-secret-key-0123456789abcdef0123456789').verify(token), undefined);
  });
});

describe('opt-out link pages (/o/:token)', () => {
  let ctx: TestContext;
  let org: TestOrg;
  const phone = '+447400300123';
  let visitorId: string;

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Corner Café');
    const visitors = new VisitorRepository(ctx.database.pool);
    visitorId = (await visitors.upsert({ id: newId(), orgId: org.orgId, phone }, new Date())).id;
    await visitors.recordConsents(
      org.orgId,
      visitorId,
      [{ id: newId(), purpose: 'sms_marketing', granted: true, textVersion: 'v1', venueId: null, gatewayId: null, method: 'portal_form' }],
      new Date(Date.now() - 60_000),
    );
  });
  after(async () => ctx.close());

  const pathOf = (url: string) => new URL(url).pathname;

  it('GET shows the organisation, a masked number and a button, and changes nothing', async () => {
    const url = ctx.triggers.sms.consent.optOutUrl(org.orgId, visitorId);
    assert.ok(url.startsWith(`${ctx.config.publicUrl}/o/`));
    const page = await supertest(ctx.app).get(pathOf(url)).set('Accept-Language', 'en');
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    assert.match(page.text, /Corner Café/);
    assert.match(page.text, /<form method="post" action="\/o\/[A-Za-z0-9_-]{56}">/);
    assert.match(page.text, /\+44 •••• ••0123/);
    assert.ok(!page.text.includes('7400300123'), 'never the full number');
    assert.ok(!page.text.includes('<script'), 'no JavaScript');
    assert.equal(page.headers['cache-control'], 'no-store');
    const gate = await ctx.triggers.sms.consent.current(org.orgId, visitorId);
    assert.deepEqual([gate?.consent.sms_marketing, gate?.smsSuppressed], [true, false]);
  });

  it('POST withdraws SMS marketing (method opt_out_link) and suppresses the number for the organisation', async () => {
    const url = ctx.triggers.sms.consent.optOutUrl(org.orgId, visitorId);
    const done = await supertest(ctx.app).post(pathOf(url)).set('Accept-Language', 'ru');
    assert.equal(done.status, 200);
    assert.match(done.text, /больше не будет присылать вам рекламные SMS/);
    const gate = await ctx.triggers.sms.consent.current(org.orgId, visitorId);
    assert.deepEqual([gate?.phone, gate?.consent.sms_marketing, gate?.smsSuppressed], [phone, false, true]);
    const history = await new VisitorRepository(ctx.database.pool).consentHistory(org.orgId, visitorId);
    assert.deepEqual([history.at(-1)?.method, history.at(-1)?.granted, history.at(-1)?.textVersion], ['opt_out_link', false, 'opt-out-link']);
    const rows = await ctx.database.pool.query<{ org_id: string; reason: string }>('SELECT org_id, reason FROM sms_suppressions WHERE phone_hash = $1', [hashPhone(phone)]);
    assert.deepEqual(rows.rows, [{ org_id: org.orgId, reason: 'opt_out_link' }]);
  });

  it('answers a tampered or unknown token with a 404 page', async () => {
    const token = pathOf(ctx.triggers.sms.consent.optOutUrl(org.orgId, visitorId)).slice(3);
    const tampered = `${token.slice(0, 40)}${token[40] === 'x' ? 'y' : 'x'}${token.slice(41)}`;
    for (const path of [`/o/${tampered}`, '/o/short']) {
      const get = await supertest(ctx.app).get(path);
      assert.equal(get.status, 404);
      assert.match(get.text, /This link is not valid/);
      const post = await supertest(ctx.app).post(path);
      assert.equal(post.status, 404);
    }
  });
});
