import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { TRIGGER_DELIVERIES_QUEUE } from '../../src/triggers/triggers.jobs.js';
import {
  bodyOf,
  createPipelineContext,
  deliveriesOf,
  errorOf,
  listOf,
  localTimeIn,
  quietHoursAway,
  newEndpoint,
  newRule,
  newVenue,
  newVisitor,
  setConsent,
  settled,
  waitFor,
  webhooksAbout,
  type PipelineContext,
} from '../helpers/triggers.js';

interface DeliveryDetail {
  id: string;
  status: string;
  reason: string | null;
  attempts: number;
  notBefore: string | null;
  attemptLog: { outcome: string; statusCode?: number; attempt?: number }[];
}

describe('trigger pipeline: failing CRMs, retries, replays and consent at send time', () => {
  let ctx: PipelineContext;

  before(async () => {
    ctx = await createPipelineContext();
  });
  after(async () => {
    await ctx.close();
  });

  /** A venue with one rule calling a fresh endpoint on a "custom:ping" event, and a visitor; returns what a test needs. */
  const setup = async () => {
    ctx.crm.script({});
    const venueId = await newVenue(ctx);
    const endpoint = await newEndpoint(ctx);
    await newRule(ctx, { name: 'Ping', trigger: { type: 'custom', name: 'ping' }, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpoint.id] }] });
    const visitor = await newVisitor(ctx, { sms: true, crm: true });
    const ping = () => ctx.api.post('/events', { type: 'custom', name: 'ping', venueId, visitorId: visitor.id }).expect(202);
    return { venueId, endpoint, visitor, ping };
  };
  const detail = async (id: string): Promise<DeliveryDetail> => (await ctx.api.get(`/deliveries/${id}`).expect(200)).body as DeliveryDetail;

  it('retries while the CRM answers 503 and delivers exactly once when it is back, under one webhook-id', async () => {
    const { visitor, ping } = await setup();
    ctx.crm.script({ statuses: [503, 503] });
    await ping();
    const [delivery] = await settled(ctx.api, visitor.id, 1);
    assert.equal(delivery?.status, 'delivered');
    const hooks = webhooksAbout(ctx.crm.received, visitor.id);
    assert.deepEqual(hooks.map((h) => h.status), [503, 503, 200]);
    assert.ok(hooks.every((h) => h.verified && h.id === delivery.id), 'every attempt signed, with the same webhook-id');
    assert.equal(ctx.crm.uniqueDelivered().filter((h) => h.id === delivery.id).length, 1);
    const log = (await detail(delivery.id)).attemptLog;
    assert.deepEqual(log.map((a) => `${a.attempt ?? '?'}:${a.outcome}:${a.statusCode ?? ''}`), ['1:retry:503', '2:retry:503', '3:delivered:200']);
  });

  it('fails the delivery and disables the endpoint when the CRM answers 410 Gone', async () => {
    const { visitor, endpoint, ping } = await setup();
    ctx.crm.script({ statuses: [410] });
    await ping();
    const [delivery] = await settled(ctx.api, visitor.id, 1);
    assert.equal(delivery?.status, 'failed');
    assert.equal(delivery.reason, 'gone');
    assert.equal(delivery.attempts, 1);
    const view = (await ctx.api.get(`/webhook-endpoints/${endpoint.id}`).expect(200)).body as { enabled: boolean; disabledReason: string };
    assert.deepEqual([view.enabled, view.disabledReason], [false, 'gone']);
  });

  it('retries a CRM slower than the timeout, and the retry gets through', async () => {
    const { visitor, ping } = await setup();
    ctx.crm.script({ delayMs: 1_500 });
    await ping();
    await waitFor(() => webhooksAbout(ctx.crm.received, visitor.id).length > 0, 10_000, 'the first (slow) attempt');
    ctx.crm.script({});
    const [delivery] = await settled(ctx.api, visitor.id, 1);
    assert.equal(delivery?.status, 'delivered');
    assert.deepEqual((await detail(delivery.id)).attemptLog.map((a) => a.outcome), ['retry', 'delivered']);
    const ids = webhooksAbout(ctx.crm.received, visitor.id).map((h) => h.id);
    assert.deepEqual(ids, [delivery.id, delivery.id], 'the CRM can tell the retry is the same message');
  });

  it('marks a delivery failed after the last scheduled retry, and a replay delivers it once the CRM recovers', async () => {
    const { visitor, ping } = await setup();
    // The first attempt and the three retries of TRIGGERS_WEBHOOK_RETRY_SCHEDULE.
    ctx.crm.script({ statuses: [500, 500, 500, 500] });
    await ping();
    const [failed] = await settled(ctx.api, visitor.id, 1);
    assert.ok(failed);
    assert.deepEqual([failed.status, failed.reason, failed.attempts], ['failed', 'retries_exhausted', 4]);

    ctx.crm.script({});
    const replayed = await ctx.api.post(`/deliveries/${failed.id}/replay`).expect(202);
    assert.equal((replayed.body as { status: string }).status, 'pending');
    const [delivered] = await settled(ctx.api, visitor.id, 1);
    assert.equal(delivered?.status, 'delivered');
    assert.deepEqual((await detail(failed.id)).attemptLog.slice(-2).map((a) => a.outcome), ['replayed', 'delivered']);
    assert.equal(ctx.crm.uniqueDelivered().filter((h) => h.id === failed.id).length, 1);

    const again = await ctx.api.post(`/deliveries/${failed.id}/replay`).expect(409);
    assert.equal(errorOf(again).code, 'DELIVERY_NOT_REPLAYABLE');
  });

  it('holds an SMS through quiet hours and does not send it when consent is withdrawn meanwhile', async () => {
    const venueId = await newVenue(ctx);
    // Quiet hours from an hour ago to two hours ahead: the SMS is held.
    const quietHours = { mode: 'hold', from: localTimeIn(-1), to: localTimeIn(2) };
    await newRule(ctx, { name: 'Held', trigger: { type: 'custom', name: 'late' }, scope: { venueIds: [venueId] }, quietHours, actions: [{ type: 'sms', template: 'Late offer' }] });
    const visitor = await newVisitor(ctx, { sms: true });
    await ctx.api.post('/events', { type: 'custom', name: 'late', venueId, visitorId: visitor.id }).expect(202);
    const [held] = await waitFor(async () => {
      const items = await deliveriesOf(ctx.api, visitor.id);
      return items.length === 1 && items[0]?.status === 'held' && items;
    });
    assert.ok(held);
    assert.ok(Date.parse((await detail(held.id)).notBefore ?? '') > Date.now());

    await setConsent(ctx, visitor.id, 'sms_marketing', false);
    // Quiet hours "end" now: the delayed job runs at once.
    const queue = new Queue(TRIGGER_DELIVERIES_QUEUE, { connection: ctx.redis.create('client'), prefix: ctx.prefix });
    try {
      await (await queue.getJob(held.id))?.promote();
    } finally {
      await queue.close();
    }
    const [settledOne] = await settled(ctx.api, visitor.id, 1);
    assert.deepEqual([settledOne?.status, settledOne?.reason, settledOne?.attempts], ['suppressed', 'no_consent', 0]);
    assert.equal(ctx.twilio.messages.filter((m) => m.to === visitor.phone).length, 0);
  });

  it('leaves the phone and attributes out when CRM consent is withdrawn before sending, or skips as the rule says', async () => {
    const venueId = await newVenue(ctx);
    const endpoint = await newEndpoint(ctx);
    const rule = (name: string, withoutConsent: string) =>
      newRule(ctx, { name, trigger: { type: 'custom', name: 'crm' }, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpoint.id], withoutConsent, payloadTemplate: { tier: '{{visitor.attributes.tier}}' } }] });
    const pseudonymous = await rule('Pseudonymous', 'pseudonymous');
    const skip = await rule('Skip', 'skip');
    const visitor = await newVisitor(ctx, { crm: true });
    await ctx.database.pool.query(
      "INSERT INTO visitor_attributes (visitor_id, org_id, loyalty_member, attributes, updated_at) VALUES ($1, $2, false, '{\"tier\":\"gold\"}', now())",
      [visitor.id, ctx.org.orgId],
    );
    // Deliveries wait (paused queue) while consent is withdrawn after the decision planned personal data.
    const queue = new Queue(TRIGGER_DELIVERIES_QUEUE, { connection: ctx.redis.create('client'), prefix: ctx.prefix });
    await queue.pause();
    try {
      await ctx.api.post('/events', { type: 'custom', name: 'crm', venueId, visitorId: visitor.id }).expect(202);
      await waitFor(async () => (await deliveriesOf(ctx.api, visitor.id)).length === 2);
      await setConsent(ctx, visitor.id, 'crm_sharing', false);
    } finally {
      await queue.resume();
      await queue.close();
    }
    const deliveries = await settled(ctx.api, visitor.id, 2);
    assert.deepEqual(deliveries.find((d) => d.ruleId === skip.id)?.reason, 'no_consent');
    assert.equal(deliveries.find((d) => d.ruleId === pseudonymous.id)?.status, 'delivered');
    const [hook, ...more] = webhooksAbout(ctx.crm.received, visitor.id);
    assert.equal(more.length, 0);
    const body = bodyOf(hook);
    assert.equal(body.data.rule.id, pseudonymous.id);
    assert.deepEqual(body.data.visitor, { id: visitor.id, loyaltyMember: false });
    assert.deepEqual(body.data.custom, { tier: '' }, 'the custom data rendered without personal data');
    assert.equal(body.data.consent.crm_sharing, false);
    assert.ok(!hook?.body.includes(visitor.phone) && !hook?.body.includes('gold'));
  });

  it('keeps a rule from firing again within its cooldown', async () => {
    const { visitor, venueId } = await setup();
    const coupon = await newRule(ctx, { name: 'Coupon', trigger: { type: 'custom', name: 'coupon' }, cooldownMinutes: 60, scope: { venueIds: [venueId] }, quietHours: quietHoursAway(), actions: [{ type: 'sms', template: 'Coupon' }] });
    const send = () => ctx.api.post('/events', { type: 'custom', name: 'coupon', venueId, visitorId: visitor.id, id: `coupon-${randomUUID()}` }).expect(202);
    const decisions = async () => listOf<{ outcome: string; reason: string | null }>(await ctx.api.get(`/decisions?ruleId=${coupon.id}`).expect(200)).items;
    await send();
    await waitFor(async () => (await decisions()).length === 1);
    await send();
    const both = await waitFor(async () => {
      const items = await decisions();
      return items.length === 2 && items;
    });
    assert.deepEqual(both.map((d) => `${d.outcome}:${d.reason ?? ''}`), ['suppressed:cooldown', 'fired:']);
    await settled(ctx.api, visitor.id, 1);
    assert.equal(ctx.twilio.messages.filter((m) => m.to === visitor.phone).length, 1);
  });
});
