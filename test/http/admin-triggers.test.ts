import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import type { Express } from 'express';
import request from 'supertest';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { newId } from '../../src/shared/ids.js';
import { recordDecisions } from '../../src/triggers/engine/decision.repository.js';
import type { Triggers } from '../../src/triggers/index.js';
import type { Services } from '../../src/services.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, scanKeys, testPrefix } from '../helpers/redis.js';

const PASSWORD = 'a-long-enough-password';

function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page carries a CSRF token');
  return match[1];
}

const ruleInput = (venueId: string, name = 'Coffee after 30 minutes') => ({
  name,
  trigger: { type: 'presence.dwell', minutes: 30 },
  scope: { venueIds: [venueId] },
  audience: { knownVisitor: false },
  quietHours: { mode: 'drop', from: '00:00', to: '00:01' },
  actions: [{ type: 'sms', template: 'Enjoying {{venue.name}}? Coffee is on us.' }],
});

describe('admin: rules and delivery log pages', () => {
  let database: TestDatabase;
  let factory: RedisFactory;
  let redis: Redis;
  let prefix: string;
  let app: Express;
  let services: Services;
  let triggers: Triggers;
  let org: TestOrg;
  let other: TestOrg;
  let ruleId: string;
  let otherRuleId: string;

  /** A failed webhook delivery, as the engine records one. */
  const failedDelivery = async (orgId: string, venueId: string, forRule: string): Promise<string> => {
    const now = new Date();
    const decisionId = newId();
    const deliveryId = newId();
    const decision = { id: decisionId, orgId, ruleId: forRule, ruleVersion: 1, eventId: `ev-${deliveryId}`, eventType: 'presence.dwell', venueId, zoneId: null, visitorId: null, outcome: 'fired' as const, reason: null, trace: [], actions: [], occurredAt: now, decidedAt: now };
    await recordDecisions(database.pool, [decision], [{ id: deliveryId, orgId, decisionId, ruleId: forRule, visitorId: null, channel: 'webhook', endpointId: null, status: 'failed', payload: {}, notBefore: null }], now);
    return deliveryId;
  };

  const signIn = async (email: string) => {
    const agent = request.agent(app);
    const token = csrfFrom((await agent.get('/login')).text);
    await agent.post('/login').type('form').send({ _csrf: token, email, password: PASSWORD }).expect(303);
    return agent;
  };

  before(async () => {
    database = await createTestDatabase();
    prefix = testPrefix();
    factory = createRedisFactory(TEST_REDIS_URL);
    redis = factory.create('client');
    ({ app, services, triggers } = buildTestApp(testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix }), database, redis));
    org = await newOrg(services, 'Rules Org');
    other = await newOrg(services, 'Other Org');
    for (const role of ['owner', 'marketer', 'analyst'] as const) await services.organisations.createUser(org.orgId, { email: `${role}@rules.example`, role, password: PASSWORD });
    ruleId = (await triggers.rules.service.create(org.orgId, ruleInput(org.venueId))).id;
    otherRuleId = (await triggers.rules.service.create(other.orgId, ruleInput(other.venueId, 'Other org rule'))).id;
  });
  after(async () => {
    await triggers.close();
    await factory.closeAll();
    await deletePrefix(prefix);
    await database.drop();
  });

  it('refuses analysts (403) on every rules and delivery page', async () => {
    const analyst = await signIn('analyst@rules.example');
    for (const path of ['/admin/rules', `/admin/rules/${ruleId}`, '/admin/rules/new', '/admin/deliveries']) {
      const res = await analyst.get(path).expect(403);
      assert.match(res.text, /owner or marketer/);
    }
  });

  it('lists the rules with their trigger, venue and state, and disables and re-enables one', async () => {
    const marketer = await signIn('marketer@rules.example');
    const page = await marketer.get('/admin/rules').expect(200);
    assert.match(page.text, /Coffee after 30 minutes/);
    assert.match(page.text, /Stayed 30 minutes/);
    assert.match(page.text, /Rules Org venue/);
    assert.doesNotMatch(page.text, /Other org rule/);
    const res = await marketer.post(`/admin/rules/${ruleId}/disable`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    assert.equal(res.headers.location, '/admin/rules?done=disabled');
    assert.equal((await triggers.rules.service.get(org.orgId, ruleId)).enabled, false);
    const listed = await marketer.get('/admin/rules?done=disabled').expect(200);
    assert.match(listed.text, /Rule disabled\./);
    await marketer.post(`/admin/rules/${ruleId}/enable`).type('form').send({ _csrf: csrfFrom(listed.text) }).expect(303);
    assert.equal((await triggers.rules.service.get(org.orgId, ruleId)).enabled, true);
  });

  it('refuses a POST without the CSRF token and changes nothing', async () => {
    const owner = await signIn('owner@rules.example');
    await owner.get('/admin/rules').expect(200);
    await owner.post(`/admin/rules/${ruleId}/disable`).type('form').send({}).set('Accept', 'text/html').expect(403);
    assert.equal((await triggers.rules.service.get(org.orgId, ruleId)).enabled, true);
  });

  it("shows a rule's definition readably, and 404 for another organisation's rule", async () => {
    const marketer = await signIn('marketer@rules.example');
    const page = await marketer.get(`/admin/rules/${ruleId}`).expect(200);
    assert.match(page.text, /Enjoying \{\{venue.name\}\}\? Coffee is on us\./);
    assert.match(page.text, /168 hours per visitor/);
    assert.match(page.text, /Drop \(00:00–00:01\)/);
    await marketer.get(`/admin/rules/${otherRuleId}`).expect(404);
  });

  it('tests a rule without side effects: outcome, per-condition trace and the rendered SMS', async () => {
    const marketer = await signIn('marketer@rules.example');
    const token = csrfFrom((await marketer.get(`/admin/rules/${ruleId}`)).text);
    const fired = await marketer.post(`/admin/rules/${ruleId}/test`).type('form').send({ _csrf: token, eventType: 'presence.dwell', venueId: org.venueId, dwellMinutes: '30', assumeConsent: 'yes' }).expect(200);
    assert.match(fired.text, /Result: would fire/);
    assert.match(fired.text, /<th scope="row">trigger<\/th>/);
    assert.match(fired.text, /Enjoying Rules Org venue\? Coffee is on us\./);
    const missed = await marketer.post(`/admin/rules/${ruleId}/test`).type('form').send({ _csrf: token, eventType: 'presence.dwell', venueId: org.venueId, dwellMinutes: '10', assumeConsent: 'yes' }).expect(200);
    assert.match(missed.text, /Result: suppressed/);
    assert.match(missed.text, /✗/);
    const { rows } = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM trigger_decisions');
    assert.equal(rows[0]?.n, '0');
  });

  it('creates a rule from the editor, and keeps the values with errors next to the fields when invalid', async () => {
    const owner = await signIn('owner@rules.example');
    const token = csrfFrom((await owner.get('/admin/rules/new')).text);
    const base = { _csrf: token, triggerType: 'presence.dwell', minutes: '45', days: '', venueId: org.venueId, cooldownHours: '24', quietMode: 'hold', controlPercent: '10' };
    const bad = await owner.post('/admin/rules').type('form').send({ ...base, name: '', template: 'Hi there', controlPercent: '80' }).expect(400);
    assert.match(bad.text, /id="name-error"/);
    assert.match(bad.text, /id="controlPercent-error"/);
    assert.match(bad.text, /Hi there<\/textarea>/);
    const badTemplate = await owner.post('/admin/rules').type('form').send({ ...base, name: 'Broken', template: 'Hi {{#if}}' }).expect(400);
    assert.match(badTemplate.text, /id="template-error"/);
    assert.match(badTemplate.text, /value="Broken"/);
    const created = await owner.post('/admin/rules').type('form').send({ ...base, name: 'Lunch regulars', template: 'Lunch at {{venue.name}}?' }).expect(303);
    const id = String(created.headers.location).split('/').pop() ?? '';
    const rule = await triggers.rules.service.get(org.orgId, id);
    assert.deepEqual(rule.definition.trigger, { type: 'presence.dwell', minutes: 45 });
    assert.equal(rule.definition.cooldownMinutes, 24 * 60);
    assert.equal(rule.definition.controlGroupPercent, 10);
    assert.deepEqual(rule.definition.scope.venueIds, [org.venueId]);
  });

  it('lists deliveries with filters and replays a failed one', async () => {
    const deliveryId = await failedDelivery(org.orgId, org.venueId, ruleId);
    const marketer = await signIn('marketer@rules.example');
    const page = await marketer.get('/admin/deliveries?status=failed&channel=webhook').expect(200);
    assert.match(page.text, new RegExp(`/admin/deliveries/${deliveryId}/replay`));
    assert.match(page.text, /Coffee after 30 minutes/);
    const none = await marketer.get('/admin/deliveries?status=delivered').expect(200);
    assert.match(none.text, /No deliveries match/);

    const otherAgent = await signIn('owner@rules.example');
    const token = csrfFrom((await otherAgent.get('/admin/deliveries')).text);
    const replayed = await otherAgent.post(`/admin/deliveries/${deliveryId}/replay`).type('form').send({ _csrf: token }).expect(303);
    assert.equal(replayed.headers.location, '/admin/deliveries?done=replayed');
    assert.match((await otherAgent.get('/admin/deliveries?done=replayed')).text, /Delivery queued again\./);
    const { rows } = await database.pool.query<{ status: string }>('SELECT status FROM trigger_deliveries WHERE id = $1', [deliveryId]);
    assert.equal(rows[0]?.status, 'pending');
    assert.ok((await scanKeys(redis, `${prefix}:*`)).length > 0, 'the replay was queued');
    const again = await otherAgent.post(`/admin/deliveries/${deliveryId}/replay`).type('form').send({ _csrf: token }).expect(303);
    assert.equal(again.headers.location, '/admin/deliveries?done=not-replayable');
  });

  it("neither lists nor replays another organisation's delivery (404)", async () => {
    const foreign = await failedDelivery(other.orgId, other.venueId, otherRuleId);
    const owner = await signIn('owner@rules.example');
    const page = await owner.get('/admin/deliveries').expect(200);
    assert.doesNotMatch(page.text, new RegExp(foreign));
    await owner.post(`/admin/deliveries/${foreign}/replay`).type('form').send({ _csrf: csrfFrom(page.text) }).set('Accept', 'text/html').expect(404);
    const { rows } = await database.pool.query<{ status: string }>('SELECT status FROM trigger_deliveries WHERE id = $1', [foreign]);
    assert.equal(rows[0]?.status, 'failed');
  });
});
