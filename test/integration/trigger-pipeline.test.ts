import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { PRESENCE_EVENTS_QUEUE } from '../../src/analytics/presence/index.js';
import {
  bodyOf,
  createPipelineContext,
  decisionsOf,
  deliveriesOf,
  newEndpoint,
  newRule,
  newVenue,
  newVisitor,
  presenceEvent,
  quietHoursAway,
  settled,
  waitFor,
  webhooksAbout,
  type PipelineContext,
} from '../helpers/triggers.js';

describe('trigger pipeline: events to verified webhooks and SMS', () => {
  let ctx: PipelineContext;
  let endpointId: string;

  before(async () => {
    ctx = await createPipelineContext();
    endpointId = (await newEndpoint(ctx)).id;
  });
  after(async () => {
    await ctx.close();
  });

  const welcomeRule = async (venueId: string, trigger: Record<string, unknown>) =>
    newRule(ctx, {
      name: 'Welcome',
      trigger,
      scope: { venueIds: [venueId] },
      quietHours: quietHoursAway(),
      actions: [
        { type: 'webhook', endpointIds: [endpointId], payloadTemplate: { greeting: 'Hello from {{venue.name}}' } },
        { type: 'sms', template: 'Welcome to {{venue.name}}: 10% off today' },
      ],
    });

  it('turns a presence event into one signed webhook with the phone (CRM consent) and one SMS with the opt-out link', async () => {
    const venueId = await newVenue(ctx);
    const rule = await welcomeRule(venueId, { type: 'presence.entered' });
    const visitor = await newVisitor(ctx, { sms: true, crm: true });
    const event = presenceEvent(ctx, visitor.id, { venueId, deviceHash: 'a'.repeat(64) });
    await ctx.presence(event);

    const deliveries = await settled(ctx.api, visitor.id, 2);
    assert.deepEqual(deliveries.map((d) => `${d.channel}:${d.status}`).sort(), ['sms:delivered', 'webhook:delivered']);
    const hooks = webhooksAbout(ctx.crm.received, visitor.id);
    assert.equal(hooks.length, 1);
    assert.equal(hooks[0]?.verified, true);
    assert.equal(hooks[0].id, deliveries.find((d) => d.channel === 'webhook')?.id, 'webhook-id is the delivery id');
    const body = bodyOf(hooks[0]);
    assert.equal(body.type, 'trigger.fired');
    assert.equal(body.data.eventId, event.id);
    assert.equal(body.data.rule.id, rule.id);
    assert.equal(body.data.visitor?.phone, visitor.phone);
    assert.deepEqual(body.data.custom, { greeting: `Hello from ${body.data.venue.name}` });
    assert.ok(!hooks[0].body.includes('a'.repeat(64)), 'never the device hash');

    const sms = ctx.twilio.messages.filter((m) => m.to === visitor.phone);
    assert.equal(sms.length, 1);
    assert.match(sms[0]?.body ?? '', /^Welcome to .+: 10% off today\nReply STOP to opt out http:\/\/\S+\/o\/\S+$/);

    // The visit.first this entry derived matches no rule here: not recorded.
    const [decision, ...others] = await decisionsOf(ctx.api, visitor.id);
    assert.equal(others.length, 0);
    assert.equal(decision?.outcome, 'fired');
    assert.ok(decision.trace.some((t) => t.condition === 'trigger' && t.passed));
  });

  it('sends a pseudonymous webhook (no phone, no attributes) without CRM consent, for an API event', async () => {
    const venueId = await newVenue(ctx);
    await welcomeRule(venueId, { type: 'custom', name: 'purchase' });
    const visitor = await newVisitor(ctx, { sms: true, crm: false });
    await ctx.database.pool.query(
      "INSERT INTO visitor_attributes (visitor_id, org_id, loyalty_member, attributes, updated_at) VALUES ($1, $2, true, '{\"tier\":\"gold\"}', now())",
      [visitor.id, ctx.org.orgId],
    );
    const res = await ctx.api.post('/events', { type: 'custom', name: 'purchase', venueId, visitorId: visitor.id, properties: { amount: 12.5 } }).expect(202);
    const posted = res.body as { accepted: number; events: { id: string }[] };
    assert.equal(posted.accepted, 1);

    await settled(ctx.api, visitor.id, 2);
    const hooks = webhooksAbout(ctx.crm.received, visitor.id);
    assert.equal(hooks.length, 1);
    const body = bodyOf(hooks[0]);
    assert.equal(body.data.eventId, posted.events[0]?.id);
    assert.deepEqual(body.data.visitor, { id: visitor.id, loyaltyMember: true });
    assert.deepEqual(body.data.consent, { sms_marketing: true, crm_sharing: false });
    assert.ok(!hooks[0]?.body.includes(visitor.phone) && !hooks[0]?.body.includes('gold'));
    assert.equal(ctx.twilio.messages.filter((m) => m.to === visitor.phone).length, 1);
  });

  it('records a suppressed decision (no_consent) and sends no SMS when the visitor never agreed to marketing', async () => {
    const venueId = await newVenue(ctx);
    await newRule(ctx, { name: 'SMS only', trigger: { type: 'presence.entered' }, scope: { venueIds: [venueId] }, actions: [{ type: 'sms', template: 'Hi' }] });
    const visitor = await newVisitor(ctx, { sms: false, crm: true });
    await ctx.presence(presenceEvent(ctx, visitor.id, { venueId }));

    const [decision] = await waitFor(async () => {
      const items = await decisionsOf(ctx.api, visitor.id);
      return items.length > 0 && items;
    });
    assert.equal(decision?.outcome, 'suppressed');
    assert.equal(decision.reason, 'no_consent');
    assert.deepEqual(decision.actions.map((a) => `${a.channel}:${a.status}:${a.reason ?? ''}`), ['sms:suppressed:no_consent']);
    assert.ok(decision.trace.some((t) => t.condition.endsWith('consent.sms') && !t.passed));
    // Decision and deliveries are written in one transaction: none now means none ever.
    assert.deepEqual(await deliveriesOf(ctx.api, visitor.id), []);
    assert.equal(ctx.twilio.messages.filter((m) => m.to === visitor.phone).length, 0);
  });

  it('decides a repeated event once: the same API event id twice, the same presence event delivered twice', async () => {
    const venueId = await newVenue(ctx);
    await welcomeRule(venueId, { type: 'presence.entered' });
    await welcomeRule(venueId, { type: 'custom', name: 'scan' });
    const visitor = await newVisitor(ctx, { sms: true, crm: true });
    const apiEvent = { id: `scan-${randomUUID()}`, type: 'custom', name: 'scan', venueId, visitorId: visitor.id };
    await ctx.api.post('/events', apiEvent).expect(202);
    await ctx.api.post('/events', { events: [apiEvent] }).expect(202);
    const presence = presenceEvent(ctx, visitor.id, { venueId });
    await ctx.presence(presence);
    // As if the first job had been removed from Redis already: a second job with the same event.
    await ctx.presence(presence, `${presence.id}-again`);
    const queue = new Queue(PRESENCE_EVENTS_QUEUE, { connection: ctx.redis.create('client'), prefix: ctx.prefix });
    try {
      await waitFor(async () => (await queue.getJob(`${presence.id}-again`))?.finishedOn !== undefined, 15_000, 'the redelivered presence event processed');
    } finally {
      await queue.close();
    }

    const deliveries = await settled(ctx.api, visitor.id, 4);
    assert.ok(deliveries.every((d) => d.status === 'delivered'));
    const decisions = (await decisionsOf(ctx.api, visitor.id)).filter((d) => d.outcome === 'fired');
    assert.deepEqual(decisions.map((d) => d.eventId).sort(), [apiEvent.id, presence.id].sort());
    assert.equal(webhooksAbout(ctx.crm.received, visitor.id).length, 2);
    assert.equal(ctx.twilio.messages.filter((m) => m.to === visitor.phone).length, 2);
  });

  it('fires portal.login and visit.first rules on a portal login published by the portal', async () => {
    const venueId = await newVenue(ctx);
    const login = await newRule(ctx, { name: 'Login', trigger: { type: 'portal.login' }, cooldownMinutes: 0, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] });
    const first = await newRule(ctx, { name: 'First', trigger: { type: 'visit.first' }, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] });
    const visitor = await newVisitor(ctx, { sms: false, crm: false });
    const publish = (id: string) =>
      ctx.triggers.engine.publish({ id, type: 'portal.login', orgId: ctx.org.orgId, venueId, zoneId: null, visitorId: visitor.id, occurredAt: new Date().toISOString(), source: 'portal', properties: { method: 'sms' } });
    const loginId = `login:${randomUUID()}`;
    await publish(loginId);

    await settled(ctx.api, visitor.id, 2);
    const bodies = webhooksAbout(ctx.crm.received, visitor.id).map(bodyOf);
    assert.deepEqual(bodies.map((b) => `${b.data.rule.id}:${b.data.eventType}`).sort(), [`${first.id}:visit.first`, `${login.id}:portal.login`].sort());
    assert.equal(bodies.find((b) => b.data.eventType === 'visit.first')?.data.eventId, `${loginId}:first`);
    const stats = await ctx.database.pool.query<{ visits: number }>('SELECT visits FROM visitor_visit_stats WHERE visitor_id = $1 AND venue_id = $2', [visitor.id, venueId]);
    assert.equal(stats.rows[0]?.visits, 1);

    // A second login the same day is another login, not another visit: no second visit.first.
    await publish(`login:${randomUUID()}`);
    await settled(ctx.api, visitor.id, 3);
    const again = webhooksAbout(ctx.crm.received, visitor.id).map(bodyOf);
    assert.equal(again.filter((b) => b.data.eventType === 'visit.first').length, 1);
  });
});
