import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DevSmsVerifier } from '../../src/portal/verification/dev.verifier.js';
import { HashedCodeStore, OwnCodeVerifier } from '../../src/portal/verification/own-code.verifier.js';
import type { SmsVerifier } from '../../src/portal/verification/sms-verifier.js';
import { TwilioVerifyVerifier } from '../../src/portal/verification/twilio-verify.verifier.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import type { TwilioConfig } from '../../src/config.js';
import { createTwilioClient } from '../../src/shared/twilio-client.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.server.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, scanKeys, testPrefix } from '../helpers/redis.js';

const VERIFY_SID = `VA${'2'.repeat(32)}`;
const MESSAGING_SID = `MG${'3'.repeat(32)}`;
const HMAC_KEY = 'test-hmac-key-for-portal-codes-0123456789';

let counter = 0;
/** A fresh valid-looking UK mobile per test, so tests never share Verify or Redis state. */
const nextPhone = (): string => `+44740012${String(1000 + counter++).padStart(4, '0')}`;

const rejectsWith = (promise: Promise<unknown>, code: ErrorCode, extra: Record<string, unknown> = {}) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof Error && 'code' in error, 'expected an AppError');
    assert.equal(error.code, code);
    for (const [key, value] of Object.entries(extra)) assert.deepEqual((error as unknown as Record<string, unknown>)[key], value, key);
    return true;
  });

describe('SMS verification', () => {
  let fake: FakeTwilio;
  let client: ReturnType<typeof createTwilioClient>;
  let redis: Redis;
  const prefix = testPrefix();
  // Built directly rather than through testConfig(): this file needs no app, database or other feature.
  const twilioConfig = (apiBaseUrl: string): TwilioConfig => ({
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    verifyServiceSid: VERIFY_SID,
    messagingServiceSid: undefined,
    from: undefined,
    apiBaseUrl,
  });
  const store = (options: { ttlSeconds?: number } = {}) => new HashedCodeStore({ redis, prefix, hmacKey: HMAC_KEY, ...options });

  before(async () => {
    fake = await startFakeTwilio();
    client = createTwilioClient(twilioConfig(fake.url));
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    await deletePrefix(prefix);
    redis.disconnect();
    await fake.close();
  });

  describe('Twilio Verify', () => {
    let verifier: SmsVerifier;
    before(() => {
      verifier = new TwilioVerifyVerifier(client, VERIFY_SID);
    });

    it('sends an SMS verification in the guest language and approves the right code once', async () => {
      const to = nextPhone();
      await verifier.send(to, 'ru');
      assert.deepEqual(
        { To: fake.requests.at(-1)?.form.To, Channel: fake.requests.at(-1)?.form.Channel, Locale: fake.requests.at(-1)?.form.Locale },
        { To: to, Channel: 'sms', Locale: 'ru' },
      );
      const code = fake.codes.get(to) ?? '';
      assert.equal(await verifier.check(to, code), 'approved');
      assert.equal(await verifier.check(to, code), 'expired', 'an approved verification is gone (20404)');
    });

    it('answers a wrong code with wrong and keeps the right one usable', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const code = fake.codes.get(to) ?? '';
      assert.equal(await verifier.check(to, code === '000000' ? '111111' : '000000'), 'wrong');
      assert.equal(await verifier.check(to, ` ${code.slice(0, 3)} ${code.slice(3)} `), 'approved');
    });

    it('answers a malformed code with wrong without asking Twilio', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const before = fake.requests.length;
      assert.equal(await verifier.check(to, 'abc'), 'wrong');
      assert.equal(fake.requests.length, before);
    });

    it('answers expired when Twilio has no pending verification (expired or never sent)', async () => {
      const to = nextPhone();
      assert.equal(await verifier.check(to, '123456'), 'expired');
      await verifier.send(to, 'en');
      fake.codes.delete(to);
      assert.equal(await verifier.check(to, '123456'), 'expired');
    });

    it('answers expired after five wrong checks, even for the right code (60202)', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const code = fake.codes.get(to) ?? '';
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) assert.equal(await verifier.check(to, wrong), 'wrong');
      assert.equal(await verifier.check(to, code), 'expired');
    });

    it('maps provider refusals: outage, invalid number, Fraud Guard block, Twilio rate limit', async () => {
      const cases: [status: number, twilioCode: number, ErrorCode][] = [
        [503, 20503, 'SMS_UNAVAILABLE'],
        [400, 60200, 'PHONE_INVALID'],
        [403, 60410, 'PHONE_NOT_ALLOWED'],
        [400, 60205, 'PHONE_LANDLINE'],
        [429, 60203, 'SMS_LIMIT_REACHED'],
      ];
      for (const [status, twilioCode, code] of cases) {
        const to = nextPhone();
        fake.failures.set(to, { status, code: twilioCode });
        await rejectsWith(verifier.send(to, 'en'), code, { details: { provider: { status, code: twilioCode } } });
      }
    });

    it('maps an unreachable Twilio to SMS_UNAVAILABLE', async () => {
      const offline = new TwilioVerifyVerifier(createTwilioClient(twilioConfig('http://127.0.0.1:1')), VERIFY_SID);
      await rejectsWith(offline.send(nextPhone(), 'en'), 'SMS_UNAVAILABLE');
      await rejectsWith(offline.check(nextPhone(), '123456'), 'SMS_UNAVAILABLE');
    });
  });

  describe('own code over the Messaging API', () => {
    let verifier: OwnCodeVerifier;
    before(() => {
      verifier = new OwnCodeVerifier(client, store(), { messagingServiceSid: MESSAGING_SID });
    });

    const sentCode = (to: string): string => {
      const message = fake.messages.filter((m) => m.to === to).at(-1);
      const code = /(\d{6})$/.exec(message?.body ?? '')?.[1];
      assert.ok(code, 'a 6-digit code in the last message');
      return code;
    };
    const otherThan = (code: string): string => (code === '000000' ? '111111' : '000000');

    it('texts a 6-digit code from the messaging service, in English or Russian', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const message = fake.messages.at(-1);
      assert.ok(message);
      assert.equal(message.messagingServiceSid, MESSAGING_SID);
      assert.match(message.body, /^Your Wi-Fi code is \d{6}$/);
      await verifier.send(to, 'ru');
      assert.match(fake.messages.at(-1)?.body ?? '', /^Ваш код для Wi-Fi: \d{6}$/);
    });

    it('can send from a plain number instead', async () => {
      const fromNumber = new OwnCodeVerifier(client, store(), { from: '+447700900001' });
      await fromNumber.send(nextPhone(), 'en');
      assert.equal(fake.messages.at(-1)?.from, '+447700900001');
    });

    it('approves the right code once, then answers expired', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const code = sentCode(to);
      assert.equal(await verifier.check(to, otherThan(code)), 'wrong');
      assert.equal(await verifier.check(to, code), 'approved');
      assert.equal(await verifier.check(to, code), 'expired');
    });

    it('allows five checks per code: the fifth may be right, the sixth is expired', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const code = sentCode(to);
      for (let i = 0; i < 4; i++) assert.equal(await verifier.check(to, otherThan(code)), 'wrong');
      assert.equal(await verifier.check(to, code), 'approved');

      await verifier.send(to, 'en');
      const next = sentCode(to);
      for (let i = 0; i < 5; i++) assert.equal(await verifier.check(to, otherThan(next)), 'wrong');
      assert.equal(await verifier.check(to, next), 'expired');
    });

    it('replaces the earlier code on a new send, with a fresh attempt count', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const first = sentCode(to);
      for (let i = 0; i < 4; i++) await verifier.check(to, otherThan(first));
      await verifier.send(to, 'en');
      const second = sentCode(to);
      if (first !== second) assert.equal(await verifier.check(to, first), 'wrong');
      assert.equal(await verifier.check(to, second), 'approved');
    });

    it('approves a code only once when two checks race', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const code = sentCode(to);
      const results = await Promise.all([verifier.check(to, code), verifier.check(to, code), verifier.check(to, code)]);
      assert.deepEqual(results.filter((r) => r === 'approved').length, 1);
    });

    it('lets codes expire after the configured time', async () => {
      const shortLived = new OwnCodeVerifier(client, store({ ttlSeconds: 1 }), { messagingServiceSid: MESSAGING_SID });
      const to = nextPhone();
      await shortLived.send(to, 'en');
      const code = sentCode(to);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal(await shortLived.check(to, code), 'expired');
    });

    it('keeps neither the code nor the phone number in Redis, only HMACs with a TTL', async () => {
      const to = nextPhone();
      await verifier.send(to, 'en');
      const code = sentCode(to);
      const keys = await scanKeys(redis, `${prefix}:*`);
      assert.ok(keys.length > 0);
      for (const key of keys) {
        assert.match(key, new RegExp(`^${prefix}:portal:code:[0-9a-f]{64}$`));
        const values = Object.values(await redis.hgetall(key)).join(' ');
        const ttl = await redis.ttl(key);
        assert.ok(ttl > 0 && ttl <= 600, `TTL ${ttl}`);
        for (const secret of [code, to, to.slice(1), to.slice(-6)]) {
          assert.ok(!key.includes(secret) && !values.includes(secret), 'no plain code or phone in Redis');
        }
      }
    });

    it('maps provider failures and leaves no undelivered code behind', async () => {
      const unsubscribed = nextPhone();
      fake.unsubscribed.add(unsubscribed);
      await rejectsWith(verifier.send(unsubscribed, 'en'), 'SMS_UNAVAILABLE', { details: { provider: { status: 400, code: 21610 }, reason: 'unsubscribed' } });
      assert.equal(await verifier.check(unsubscribed, '123456'), 'expired');

      const down = nextPhone();
      fake.failures.set(down, { status: 500, code: 20500 });
      await rejectsWith(verifier.send(down, 'en'), 'SMS_UNAVAILABLE');

      const invalid = nextPhone();
      fake.failures.set(invalid, { status: 400, code: 21211 });
      await assert.rejects(verifier.send(invalid, 'en'), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'PHONE_INVALID');
        assert.doesNotMatch(JSON.stringify({ message: error.message, error }), new RegExp(invalid.slice(1)));
        return true;
      });
    });
  });

  describe('development verifier', () => {
    it('refuses to exist in production', () => {
      assert.throws(() => new DevSmsVerifier(store(), 'production'), /NODE_ENV=production/);
    });

    it('sends nothing and shows the live code until it is used', async () => {
      const verifier = new DevSmsVerifier(store(), 'development');
      const to = nextPhone();
      const sent = fake.requests.length;
      await verifier.send(to, 'en');
      assert.equal(fake.requests.length, sent);
      const code = await verifier.lastCodeFor(to);
      assert.match(code ?? '', /^\d{6}$/);
      assert.equal(await verifier.lastCodeFor(nextPhone()), undefined);
      assert.equal(await verifier.check(to, code ?? ''), 'approved');
      assert.equal(await verifier.lastCodeFor(to), undefined);
    });
  });
});
