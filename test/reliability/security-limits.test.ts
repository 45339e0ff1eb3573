import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { SmsLimits } from '../../src/portal/verification/limits.js';
import { AppError } from '../../src/shared/errors.js';
import { bearer } from '../helpers/factories.js';
import { createPortalTestContext, formOf, omadaLanding, type PortalTestContext } from '../helpers/portal.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';

/** The portal shows each registry code as its own sentence (src/portal/i18n.ts); read the code back from the page. */
const SHOWN: Record<string, RegExp> = {
  SMS_LIMIT_REACHED: /Too many codes were requested\./,
  SMS_BUDGET_EXHAUSTED: /Sign-in by SMS is not available right now\./,
  RATE_LIMITED: /Too many attempts\. Try again later\./,
  CODE_INVALID: /The code is not correct\./,
};
const codeShown = (html: string): string => Object.entries(SHOWN).find(([, pattern]) => pattern.test(html))?.[0] ?? 'none';

describe('security: OTP guessing and SMS pumping are stopped', () => {
  let ctx: PortalTestContext;
  let device = 0;
  const nextMac = () => {
    device += 1;
    return `02-5E-${(device >> 8).toString(16).padStart(2, '0')}-${(device & 255).toString(16).padStart(2, '0')}-00-01`.toUpperCase();
  };
  /** One attacker request: a fresh landing (a new or given device) from the given address, then the phone form. */
  const askCode = async (phone: string, options: { mac?: string; ip?: string } = {}) => {
    const ip = options.ip ?? '198.51.100.10';
    const landing = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding(options.mac ?? nextMac())).set('X-Forwarded-For', ip).expect(200);
    const { flowId, csrf } = formOf(landing.text);
    const res = await supertest(ctx.app).post(`/portal/f/${flowId}/phone`).set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf, phone });
    return { flowId, csrf, ip, status: res.status, code: res.status === 303 ? 'SENT' : codeShown(res.text) };
  };
  const postCode = (flow: { flowId: string; csrf: string; ip: string }, code: string) =>
    supertest(ctx.app).post(`/portal/f/${flow.flowId}/code`).set('X-Forwarded-For', flow.ip).type('form').send({ _csrf: flow.csrf, code });
  const setPolicy = (sms: Record<string, number>) => supertest(ctx.app).put('/api/v1/portal/settings').set(bearer(ctx.org.apiKey)).send({ sms }).expect(200);
  const verifications = (phone?: string) => ctx.twilio.requests.filter((r) => r.path.endsWith('/Verifications') && (phone === undefined || r.form.To === phone)).length;
  const checks = (phone: string) => ctx.twilio.requests.filter((r) => r.path.endsWith('/VerificationCheck') && r.form.To === phone).length;
  const wrongCode = (right: string) => (right === '111111' ? '222222' : '111111');

  before(async () => {
    // Behind a proxy the portal counts the guest's address from X-Forwarded-For: lets one test act from many networks.
    ctx = await createPortalTestContext({ TRUST_PROXY: 'true' });
  });
  after(async () => ctx.close());

  it('stops code guessing after the allowed tries: even the right code is refused until a new code is sent', async () => {
    await setPolicy({ resendCooldownSeconds: 0, checksPerCode: 5 });
    const phone = '+447400200001';
    const flow = await askCode(phone);
    assert.equal(flow.code, 'SENT');
    const right = ctx.twilio.codes.get(phone) ?? '';
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(codeShown((await postCode(flow, wrongCode(right))).text));
    assert.deepEqual(answers.slice(0, 4), ['CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID', 'CODE_INVALID']);
    const afterLimit = await postCode(flow, right);
    assert.equal(afterLimit.status, 429);
    assert.equal(codeShown(afterLimit.text), 'RATE_LIMITED');
    assert.equal(checks(phone), 5, 'the sixth guess never reached the provider');

    const resend = await supertest(ctx.app).post(`/portal/f/${flow.flowId}/resend`).set('X-Forwarded-For', flow.ip).type('form').send({ _csrf: flow.csrf });
    assert.equal(resend.status, 303, 'a new code may be asked for');
    const fresh = ctx.twilio.codes.get(phone) ?? '';
    assert.equal((await postCode(flow, fresh)).status, 303, 'the new code works');
  });

  it('bounds the guesses a scripted attacker gets on one number across flows and devices', async () => {
    await setPolicy({ resendCooldownSeconds: 0, perPhonePerDay: 2, checksPerCode: 3 });
    const phone = '+447400200002';
    const outcomes: string[] = [];
    for (let flowNo = 0; flowNo < 5; flowNo++) {
      const flow = await askCode(phone, { ip: `203.0.113.${flowNo + 1}` });
      outcomes.push(flow.code);
      if (flow.code !== 'SENT') continue;
      for (let guess = 0; guess < 6; guess++) await postCode(flow, wrongCode(ctx.twilio.codes.get(phone) ?? ''));
    }
    assert.deepEqual(outcomes, ['SENT', 'SENT', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED']);
    assert.equal(verifications(phone), 2);
    assert.ok(checks(phone) <= 2 * 3, `provider saw ${checks(phone)} code checks, at most 6 allowed`);
  });

  it('refuses an attacker cycling numbers from one device, then from one network', async () => {
    await setPolicy({ resendCooldownSeconds: 0, perDevicePerDay: 3, perIpPerDay: 6 });
    const sentBefore = verifications();
    const mac = nextMac();
    const fromDevice: string[] = [];
    for (let n = 0; n < 6; n++) fromDevice.push((await askCode(`+4474003000${String(n).padStart(2, '0')}`, { mac, ip: '198.51.100.20' })).code);
    assert.deepEqual(fromDevice, ['SENT', 'SENT', 'SENT', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED']);

    const fromNetwork: string[] = [];
    for (let n = 0; n < 6; n++) fromNetwork.push((await askCode(`+4474003001${String(n).padStart(2, '0')}`, { ip: '198.51.100.20' })).code);
    // 3 of the network's 6 went to the device above.
    assert.deepEqual(fromNetwork, ['SENT', 'SENT', 'SENT', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED']);
    assert.equal(verifications() - sentBefore, 6, 'the provider was asked for exactly the allowed sends');
  });

  it('caps a venue, then the monthly budget, however many networks and devices the attacker uses', async () => {
    const venueSent = await (async () => {
      // Earlier tests spent some of the venue's day: count from what is left.
      await setPolicy({ resendCooldownSeconds: 0, perVenuePerDay: verifications() + 4 });
      const before = verifications();
      const outcomes: string[] = [];
      for (let n = 0; n < 7; n++) outcomes.push((await askCode(`+4474004000${String(n).padStart(2, '0')}`, { ip: `192.0.2.${n + 1}` })).code);
      assert.deepEqual(outcomes, ['SENT', 'SENT', 'SENT', 'SENT', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED', 'SMS_LIMIT_REACHED']);
      return verifications() - before;
    })();
    assert.equal(venueSent, 4);

    await setPolicy({ resendCooldownSeconds: 0, perOrgPerMonth: verifications() + 2 });
    const before = verifications();
    const outcomes: { status: number; code: string }[] = [];
    for (let n = 0; n < 5; n++) {
      const res = await askCode(`+4474005000${String(n).padStart(2, '0')}`, { ip: `192.0.2.${100 + n}` });
      outcomes.push({ status: res.status, code: res.code });
    }
    assert.deepEqual(outcomes.map((o) => o.code), ['SENT', 'SENT', 'SMS_BUDGET_EXHAUSTED', 'SMS_BUDGET_EXHAUSTED', 'SMS_BUDGET_EXHAUSTED']);
    assert.deepEqual(outcomes.slice(2).map((o) => o.status), [503, 503, 503]);
    assert.equal(verifications() - before, 2);
  });

  it('lets no concurrent burst overshoot a cap (registry codes and reasons)', async () => {
    const prefix = testPrefix();
    const limits = new SmsLimits(ctx.redis, prefix, { now: () => new Date() });
    try {
      const burst = (n: number, policy: Record<string, number>, vary: (i: number) => { phone: string; deviceHash: string; ip: string }) =>
        Promise.allSettled(Array.from({ length: n }, (_, i) => limits.reserveSend({ orgId: 'org-1', venueId: 'venue-1', flowId: `flow-${policy.seed}-${i}`, ...vary(i) }, policy)));
      const tally = (results: PromiseSettledResult<void>[]) =>
        results.reduce<Record<string, number>>((acc, r) => {
          const key = r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? `${r.reason.code}:${String(r.reason.details?.reason)}` : 'other';
          acc[key] = (acc[key] ?? 0) + 1;
          return acc;
        }, {});
      const samePhone = await burst(40, { seed: 1, resendCooldownSeconds: 0, perPhonePerDay: 5 }, (i) => ({ phone: '+447400600001', deviceHash: `d${i}`, ip: `10.0.0.${i}` }));
      assert.deepEqual(tally(samePhone), { ok: 5, 'SMS_LIMIT_REACHED:phone_daily': 35 });
      const budget = await burst(40, { seed: 2, resendCooldownSeconds: 0, perOrgPerMonth: 12, perVenuePerDay: 1000 }, (i) => ({ phone: `+4474006100${String(i).padStart(2, '0')}`, deviceHash: `e${i}`, ip: `10.1.0.${i}` }));
      // The first burst's 5 sends already count against the month.
      assert.deepEqual(tally(budget), { ok: 7, 'SMS_BUDGET_EXHAUSTED:org_monthly': 33 });
    } finally {
      await deletePrefix(prefix);
    }
  });
});
