import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  DEFAULT_SMS_POLICY,
  ipBucket,
  resolveSmsPolicy,
  smsPolicySchema,
  SmsLimits,
  type SmsPolicy,
  type SmsSendRequest,
} from '../../src/portal/verification/limits.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, scanKeys, testPrefix } from '../helpers/redis.js';

class TestClock {
  constructor(private current: Date) {}
  now(): Date {
    return this.current;
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

let sequence = 0;
const unique = (): number => ++sequence;

/** Every identifier distinct unless the test pins it: one request trips only the cap under test. */
function request(overrides: Partial<SmsSendRequest> = {}): SmsSendRequest {
  const n = unique();
  return {
    orgId: `org-${n}`,
    venueId: `venue-${n}`,
    phone: `+4474001${String(n).padStart(5, '0')}`,
    deviceHash: `device-${n}`,
    ip: `198.51.100.${n % 250}`,
    flowId: `flow-${n}`,
    ...overrides,
  };
}

const noCooldown: Partial<SmsPolicy> = { resendCooldownSeconds: 0 };

async function refused(promise: Promise<unknown>, code: ErrorCode, reason: string): Promise<Record<string, unknown>> {
  let caught: unknown;
  await promise.catch((error: unknown) => (caught = error));
  assert.ok(caught instanceof Error && 'code' in caught && 'details' in caught, 'expected an AppError');
  assert.equal(caught.code, code);
  const details = caught.details as Record<string, unknown>;
  assert.equal(details.reason, reason);
  return details;
}

describe('SmsLimits', () => {
  const base = testPrefix();
  let redis: Redis;
  let clock: TestClock;
  /** A private key space per test, so counters never leak between tests. */
  const fresh = (): { limits: SmsLimits; prefix: string } => {
    const prefix = `${base}-${unique()}`;
    return { limits: new SmsLimits(redis, prefix, clock), prefix };
  };

  before(() => {
    redis = new Redis(TEST_REDIS_URL);
    clock = new TestClock(new Date('2025-03-31T12:00:00Z'));
  });
  after(async () => {
    await deletePrefix(base);
    redis.disconnect();
  });

  it('enforces the resend cooldown per flow and per phone, with retryAfterSeconds', async () => {
    const { limits } = fresh();
    const first = request();
    await limits.reserveSend(first);
    const sameFlow = await refused(limits.reserveSend(request({ flowId: first.flowId })), 'SMS_LIMIT_REACHED', 'cooldown');
    assert.ok(typeof sameFlow.retryAfterSeconds === 'number' && sameFlow.retryAfterSeconds > 28 && sameFlow.retryAfterSeconds <= 30);
    await refused(limits.reserveSend(request({ phone: first.phone })), 'SMS_LIMIT_REACHED', 'cooldown');
    await limits.reserveSend(request());
  });

  it('lifts the cooldown once it has passed', async () => {
    const { limits } = fresh();
    const first = request();
    await limits.reserveSend(first, { resendCooldownSeconds: 1 });
    await refused(limits.reserveSend(first, { resendCooldownSeconds: 1 }), 'SMS_LIMIT_REACHED', 'cooldown');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    await limits.reserveSend(first, { resendCooldownSeconds: 1 });
  });

  const dailyCaps: [reason: string, pin: (shared: SmsSendRequest) => Partial<SmsSendRequest>, policy: Partial<SmsPolicy>, cap: number][] = [
    ['phone_daily', (s) => ({ phone: s.phone }), {}, 5],
    ['device_daily', (s) => ({ deviceHash: s.deviceHash }), {}, 5],
    ['ip_daily', (s) => ({ ip: s.ip }), { perIpPerDay: 20 }, 20],
    ['venue_daily', (s) => ({ venueId: s.venueId }), { perVenuePerDay: 7 }, 7],
  ];
  for (const [reason, pin, policy, cap] of dailyCaps) {
    it(`caps ${reason.replace('_daily', '')} at ${cap} a day until the next UTC day`, async () => {
      clock.set('2025-03-31T23:59:00Z');
      const { limits } = fresh();
      const shared = request();
      for (let i = 0; i < cap; i++) await limits.reserveSend(request(pin(shared)), { ...noCooldown, ...policy });
      const details = await refused(limits.reserveSend(request(pin(shared)), { ...noCooldown, ...policy }), 'SMS_LIMIT_REACHED', reason);
      assert.equal(details.retryAfterSeconds, 60);
      clock.set('2025-04-01T00:00:00Z');
      await limits.reserveSend(request(pin(shared)), { ...noCooldown, ...policy });
    });
  }

  it('counts IPv6 addresses of one /64 together', async () => {
    assert.equal(ipBucket('2001:db8:1:2::1'), '2001:0db8:0001:0002::/64');
    assert.equal(ipBucket('2001:db8:1:2:ffff::9'), ipBucket('2001:0DB8:1:2::1'));
    assert.equal(ipBucket('::ffff:203.0.113.7'), '203.0.113.7');
    const { limits } = fresh();
    await limits.reserveSend(request({ ip: '2001:db8:1:2::1' }), { ...noCooldown, perIpPerDay: 2 });
    await limits.reserveSend(request({ ip: '2001:db8:1:2::2' }), { ...noCooldown, perIpPerDay: 2 });
    await refused(limits.reserveSend(request({ ip: '2001:db8:1:2:aaaa::3' }), { ...noCooldown, perIpPerDay: 2 }), 'SMS_LIMIT_REACHED', 'ip_daily');
    await limits.reserveSend(request({ ip: '2001:db8:1:3::1' }), { ...noCooldown, perIpPerDay: 2 });
  });

  it('stops at the organisation budget for the calendar month and starts again next month', async () => {
    clock.set('2025-01-31T22:00:00Z');
    const { limits } = fresh();
    const org = request().orgId;
    for (let i = 0; i < 3; i++) await limits.reserveSend(request({ orgId: org }), { perOrgPerMonth: 3 });
    const details = await refused(limits.reserveSend(request({ orgId: org }), { perOrgPerMonth: 3 }), 'SMS_BUDGET_EXHAUSTED', 'org_monthly');
    assert.equal(details.retryAfterSeconds, 2 * 60 * 60);
    clock.set('2025-02-01T00:00:01Z');
    await limits.reserveSend(request({ orgId: org }), { perOrgPerMonth: 3 });
    await refused(limits.reserveSend(request(), { perOrgPerMonth: 0 }), 'SMS_BUDGET_EXHAUSTED', 'org_monthly');
  });

  it('gives a reservation back once when the provider failed, cooldown included', async () => {
    clock.set('2025-03-31T12:00:00Z');
    const { limits } = fresh();
    const shared = request();
    for (let i = 0; i < 4; i++) await limits.reserveSend(request({ phone: shared.phone }), noCooldown);
    const failed = request({ phone: shared.phone });
    await limits.reserveSend(failed);
    assert.equal(await limits.releaseSend(failed), true);
    assert.equal(await limits.releaseSend(failed), false, 'a second release gives nothing back');
    await limits.reserveSend(failed);
    await refused(limits.reserveSend(request({ phone: shared.phone }), noCooldown), 'SMS_LIMIT_REACHED', 'phone_daily');
    assert.equal(await limits.releaseSend(request()), false, 'nothing reserved for this flow');
  });

  it('releases the day it reserved in, even after midnight', async () => {
    clock.set('2025-03-31T23:59:59Z');
    const { limits } = fresh();
    const shared = request();
    for (let i = 0; i < 4; i++) await limits.reserveSend(request({ phone: shared.phone }), noCooldown);
    const late = request({ phone: shared.phone });
    await limits.reserveSend(late, noCooldown);
    clock.set('2025-04-01T00:00:01Z');
    assert.equal(await limits.releaseSend(late), true);
    clock.set('2025-03-31T23:59:59Z');
    await limits.reserveSend(request({ phone: shared.phone }), noCooldown);
  });

  it('never lets 20 concurrent requests past a cap of 5', async () => {
    const { limits, prefix } = fresh();
    const connections = Array.from({ length: 5 }, () => new Redis(TEST_REDIS_URL));
    try {
      const racers = connections.map((connection) => new SmsLimits(connection, prefix, clock));
      const phone = request().phone;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => racers[i % racers.length]!.reserveSend(request({ phone }), noCooldown)),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
      const flow = request();
      const cooled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => racers[i % racers.length]!.reserveSend(request({ flowId: flow.flowId }))));
      assert.equal(cooled.filter((r) => r.status === 'fulfilled').length, 1, 'one send per cooldown');
      await refused(limits.reserveSend(request({ phone }), noCooldown), 'SMS_LIMIT_REACHED', 'phone_daily');
    } finally {
      for (const connection of connections) connection.disconnect();
    }
  });

  it('counts code checks per sent code and refuses the sixth', async () => {
    const { limits } = fresh();
    const flow = request();
    await limits.reserveSend(flow);
    const left: number[] = [];
    for (let i = 0; i < 5; i++) left.push(await limits.recordCheck(flow.flowId));
    assert.deepEqual(left, [4, 3, 2, 1, 0]);
    await refused(limits.recordCheck(flow.flowId), 'RATE_LIMITED', 'too_many_checks');
    await limits.reserveSend(flow, noCooldown);
    assert.equal(await limits.recordCheck(flow.flowId), 4, 'a new code starts a new count');
    assert.equal(await limits.recordCheck(request().flowId, { checksPerCode: 2 }), 1);
  });

  it('keeps phone numbers and IPs out of key names and gives every key a TTL', async () => {
    const hashed = new SmsLimits(redis, `${base}-keys`, clock, { hashKey: 'k'.repeat(32) });
    for (const limits of [fresh().limits, hashed]) {
      const sent = request({ ip: '203.0.113.99' });
      await limits.reserveSend(sent);
      await limits.recordCheck(sent.flowId);
    }
    const keys = await scanKeys(redis, `${base}*`);
    assert.ok(keys.length > 10);
    for (const key of keys) {
      assert.doesNotMatch(key, /\+?4474001\d{5}|203\.0\.113|198\.51\.100|device-|flow-/);
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 || ttl === -2, `${key} has a TTL (or has just expired)`);
    }
  });
});

describe('SMS policy', () => {
  it('accepts partial overrides and fills the rest from the defaults', () => {
    const overrides = smsPolicySchema.parse({ perPhonePerDay: 3, perOrgPerMonth: 0 });
    assert.deepEqual(resolveSmsPolicy(overrides), { ...DEFAULT_SMS_POLICY, perPhonePerDay: 3, perOrgPerMonth: 0 });
    assert.deepEqual(resolveSmsPolicy(), DEFAULT_SMS_POLICY);
    assert.deepEqual(DEFAULT_SMS_POLICY, {
      resendCooldownSeconds: 30,
      perPhonePerDay: 5,
      perDevicePerDay: 5,
      perIpPerDay: 300,
      perVenuePerDay: 1000,
      perOrgPerMonth: 2000,
      checksPerCode: 5,
    });
  });

  it('refuses unknown keys, fractions and out-of-range values', () => {
    for (const bad of [{ perPhoneDay: 3 }, { perPhonePerDay: 2.5 }, { perPhonePerDay: 0 }, { resendCooldownSeconds: -1 }, { checksPerCode: 50 }]) {
      assert.equal(smsPolicySchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
