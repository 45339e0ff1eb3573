import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/shared/logger.js';
import { newOrg } from '../helpers/factories.js';
import {
  apiClient,
  bodyOf,
  createPipelineContext,
  decisionsOf,
  errorOf,
  listOf,
  newEndpoint,
  newRule,
  newVenue,
  newVisitor,
  presenceEvent,
  settled,
  waitFor,
  type ApiClient,
  type PipelineContext,
} from '../helpers/triggers.js';

const jobContext = { jobId: 'test', attempt: 1, logger: createLogger('silent') };

describe('trigger pipeline: events API, logs, caps and tenant isolation', () => {
  let ctx: PipelineContext;
  let endpointId: string;

  before(async () => {
    ctx = await createPipelineContext();
    endpointId = (await newEndpoint(ctx)).id;
  });
  after(async () => {
    await ctx.close();
  });

  const fieldsOf = (res: { body: unknown }): string[] => {
    const error = errorOf(res);
    assert.equal(error.code, 'VALIDATION_FAILED');
    return error.fields;
  };

  it('refuses events naming what is not the organisation’s, or saying who they are from', async () => {
    const other = await newOrg(ctx.services);
    const otherVisitor = await newVisitor(ctx, {}, other.orgId);
    const zone = await ctx.services.venues.createZone(other.orgId, other.venueId, { name: 'Bar' });
    const base = { type: 'custom', name: 'x', venueId: ctx.org.venueId };
    assert.deepEqual(fieldsOf(await ctx.api.post('/events', { ...base, orgId: other.orgId, source: 'engine' }).expect(400)).sort(), ['(body)']);
    assert.deepEqual(fieldsOf(await ctx.api.post('/events', { ...base, venueId: other.venueId }).expect(400)), ['venueId']);
    assert.deepEqual(fieldsOf(await ctx.api.post('/events', { ...base, zoneId: zone.id }).expect(400)), ['zoneId']);
    assert.deepEqual(fieldsOf(await ctx.api.post('/events', { ...base, visitorId: otherVisitor.id }).expect(400)), ['visitorId']);
    assert.deepEqual(fieldsOf(await ctx.api.post('/events', { events: [base, { ...base, name: undefined }] }).expect(400)), ['events.1.name']);
    const tooMany = Array.from({ length: 501 }, () => base);
    assert.deepEqual(fieldsOf(await ctx.api.post('/events', { events: tooMany }).expect(400)), ['events']);

    const accepted = (await ctx.api.post('/events', { events: [{ ...base, id: 'mine-1' }, base] }).expect(202)).body as { accepted: number; events: { id: string }[] };
    assert.equal(accepted.accepted, 2);
    assert.equal(accepted.events[0]?.id, 'mine-1');
    assert.match(accepted.events[1]?.id ?? '', /^[0-9a-f-]{36}$/);
  });

  it('holds the organisation’s daily cap across rules and events', async () => {
    const org = await newOrg(ctx.services);
    const api = apiClient(ctx.app, org.apiKey);
    await api.put('/trigger-settings', { dailyCapPerVisitor: 1 }).expect(200);
    const endpoint = await newEndpoint(ctx, {}, api);
    const rule = (name: string) => newRule(ctx, { name, trigger: { type: 'custom', name }, actions: [{ type: 'webhook', endpointIds: [endpoint.id] }] }, api);
    const [a, b] = [await rule('a'), await rule('b')];
    const visitor = await newVisitor(ctx, { crm: true }, org.orgId);
    const send = (name: string) => api.post('/events', { type: 'custom', name, venueId: org.venueId, visitorId: visitor.id }).expect(202);
    await send('a');
    await waitFor(async () => (await decisionsOf(api, visitor.id)).length === 1);
    await send('b');
    const decisions = await waitFor(async () => {
      const items = await decisionsOf(api, visitor.id);
      return items.length === 2 && items;
    });
    assert.deepEqual(decisions.map((d) => `${d.ruleId === a.id ? 'a' : d.ruleId === b.id ? 'b' : '?'}:${d.outcome}:${d.reason ?? ''}`), ['b:suppressed:daily_cap', 'a:fired:']);
    assert.ok(decisions[0]?.trace.some((t) => t.condition === 'dailyCap' && !t.passed));
    await settled(api, visitor.id, 1);

    // Two rules listening to the same event: the first to fire uses up the cap for the second.
    await rule('c');
    await rule('c');
    const fresh = await newVisitor(ctx, { crm: true }, org.orgId);
    await api.post('/events', { type: 'custom', name: 'c', venueId: org.venueId, visitorId: fresh.id }).expect(202);
    const same = await waitFor(async () => {
      const items = await decisionsOf(api, fresh.id);
      return items.length === 2 && items;
    });
    assert.deepEqual(same.map((d) => `${d.outcome}:${d.reason ?? ''}`).sort(), ['fired:', 'suppressed:daily_cap']);
    await settled(api, fresh.id, 1);
  });

  it('pages through the decision log newest first, with filters', async () => {
    const venueId = await newVenue(ctx);
    const rule = await newRule(ctx, { name: 'Log', trigger: { type: 'custom', name: 'log' }, cooldownMinutes: 0, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] });
    const visitor = await newVisitor(ctx, {});
    for (let i = 0; i < 3; i += 1) {
      await ctx.api.post('/events', { id: `log-${i}`, type: 'custom', name: 'log', venueId, visitorId: visitor.id }).expect(202);
      await waitFor(async () => (await decisionsOf(ctx.api, visitor.id)).length === i + 1);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = listOf<{ eventId: string }>(await ctx.api.get(`/decisions?ruleId=${rule.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200));
      seen.push(...res.items.map((d) => d.eventId));
      cursor = res.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['log-2', 'log-1', 'log-0']);
    assert.equal(listOf(await ctx.api.get(`/decisions?ruleId=${rule.id}&outcome=suppressed`).expect(200)).items.length, 0);
    assert.deepEqual(fieldsOf(await ctx.api.get('/decisions?cursor=bogus').expect(400)), ['cursor']);
    assert.deepEqual(fieldsOf(await ctx.api.get('/decisions?colour=red').expect(400)), ['(body)']);
    const deliveries = listOf<{ payload?: unknown }>(await ctx.api.get(`/deliveries?ruleId=${rule.id}&channel=webhook&limit=1`).expect(200));
    assert.equal(deliveries.items.length, 1);
    assert.equal(typeof deliveries.nextCursor, 'string');
    assert.ok(deliveries.items[0] && !('payload' in deliveries.items[0]), 'the list leaves payloads out');
  });

  it('shows and replays deliveries only to their own organisation', async () => {
    const venueId = await newVenue(ctx);
    await newRule(ctx, { name: 'Mine', trigger: { type: 'custom', name: 'mine' }, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] });
    const visitor = await newVisitor(ctx, {});
    await ctx.api.post('/events', { type: 'custom', name: 'mine', venueId, visitorId: visitor.id }).expect(202);
    const [delivery] = await settled(ctx.api, visitor.id, 1);
    assert.ok(delivery);
    const stranger: ApiClient = apiClient(ctx.app, (await newOrg(ctx.services)).apiKey);
    await stranger.get(`/deliveries/${delivery.id}`).expect(404);
    await stranger.post(`/deliveries/${delivery.id}/replay`).expect(404);
    assert.equal(listOf(await stranger.get('/deliveries').expect(200)).items.length, 0);
    assert.equal(listOf(await stranger.get('/decisions').expect(200)).items.length, 0);
    await ctx.api.get('/deliveries/not-an-id').expect(404);
  });

  it('fires an audience-wide rule for an anonymous event with no visitor in the body', async () => {
    const venueId = await newVenue(ctx);
    const rule = await newRule(ctx, { name: 'Anyone', trigger: { type: 'custom', name: 'door' }, audience: { knownVisitor: false }, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] });
    await ctx.api.post('/events', { id: 'door-1', type: 'custom', name: 'door', venueId }).expect(202);
    const hook = await waitFor(() => ctx.crm.uniqueDelivered().find((w) => bodyOf(w).data.rule.id === rule.id));
    assert.equal(bodyOf(hook).data.visitor, null);
  });

  it('acknowledges events it cannot evaluate instead of failing the worker forever', async () => {
    const { engine } = ctx.triggers;
    const venueId = await newVenue(ctx);
    await newRule(ctx, { name: 'Gone', trigger: { type: 'presence.entered' }, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] });
    const stray = presenceEvent(ctx, randomUUID(), { venueId: randomUUID() });
    await engine.handlePresenceEvent(stray, jobContext);
    // A visitor erased since the event was produced: recorded as not in the audience, no visit counted.
    const erased = presenceEvent(ctx, randomUUID(), { venueId });
    await engine.handlePresenceEvent(erased, jobContext);
    const [decision] = listOf<{ outcome: string; reason: string }>(await ctx.api.get(`/decisions?visitorId=${erased.visitorId}`).expect(200)).items;
    assert.deepEqual([decision?.outcome, decision?.reason], ['suppressed', 'audience']);
    await engine.handleDelivery({ orgId: ctx.org.orgId, deliveryId: randomUUID() }, jobContext);
  });
});
