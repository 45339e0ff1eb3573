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
import { csrfFrom, errorsOf, formFields, signedInAgent, type Fields } from '../helpers/admin-forms.js';
import { seedResults } from '../helpers/rule-results-seed.js';

const PASSWORD = 'a-long-enough-password';
type Agent = ReturnType<typeof request.agent>;
const ruleInput = (venueId: string, name = 'Coffee after 30 minutes') => ({
  name,
  trigger: { type: 'presence.dwell', minutes: 30 },
  scope: { venueIds: [venueId] },
  audience: { knownVisitor: false },
  quietHours: { mode: 'drop', from: '00:00', to: '00:01' },
  actions: [{ type: 'sms', template: 'Enjoying {{venue.name}}? Coffee is on us.' }],
});

describe('admin: rules, the rule editor, results and the delivery log', () => {
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

  const signIn = (email: string): Promise<Agent> => signedInAgent(app, email, PASSWORD);

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

  it('refuses analysts (403) and sends signed-out visitors to the login page', async () => {
    const analyst = await signIn('analyst@rules.example');
    const pages = ['/admin/rules', `/admin/rules/${ruleId}`, '/admin/rules/new', `/admin/rules/${ruleId}/edit`, `/admin/rules/${ruleId}/results`, '/admin/deliveries'];
    for (const path of pages) assert.match((await analyst.get(path).expect(403)).text, /owner or marketer/);
    for (const path of pages) assert.match(String((await request(app).get(path).expect(303)).headers.location), /^\/login/);
  });

  it('lists the rules with links to edit and results, and disables and re-enables one', async () => {
    const marketer = await signIn('marketer@rules.example');
    const page = await marketer.get('/admin/rules').expect(200);
    assert.match(page.text, /Coffee after 30 minutes/);
    assert.match(page.text, /Stayed 30 minutes/);
    assert.match(page.text, new RegExp(`href="/admin/rules/${ruleId}/edit"`));
    assert.match(page.text, new RegExp(`href="/admin/rules/${ruleId}/results"`));
    assert.doesNotMatch(page.text, /Other org rule/);
    const res = await marketer.post(`/admin/rules/${ruleId}/disable`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    assert.equal(res.headers.location, '/admin/rules?done=disabled');
    assert.equal((await triggers.rules.service.get(org.orgId, ruleId)).enabled, false);
    await marketer.post(`/admin/rules/${ruleId}/enable`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    assert.equal((await triggers.rules.service.get(org.orgId, ruleId)).enabled, true);
  });

  it('refuses POSTs without the CSRF token and changes nothing', async () => {
    const owner = await signIn('owner@rules.example');
    const before = await triggers.rules.service.get(org.orgId, ruleId);
    const form = formFields((await owner.get(`/admin/rules/${ruleId}/edit`).expect(200)).text, `/admin/rules/${ruleId}/edit`);
    const withoutToken: Fields = { ...form, name: 'Renamed' };
    delete withoutToken._csrf;
    await owner.post(`/admin/rules/${ruleId}/edit`).type('form').send(withoutToken).set('Accept', 'text/html').expect(403);
    await owner.post('/admin/rules').type('form').send(withoutToken).set('Accept', 'text/html').expect(403);
    await owner.post(`/admin/rules/${ruleId}/disable`).type('form').send({}).set('Accept', 'text/html').expect(403);
    assert.deepEqual(await triggers.rules.service.get(org.orgId, ruleId), before);
    assert.equal((await triggers.rules.service.list(org.orgId)).length, 1);
  });

  it("404s another organisation's rule on every page, and neither edits nor reads it", async () => {
    const owner = await signIn('owner@rules.example');
    const token = csrfFrom((await owner.get('/admin/rules/new')).text);
    for (const path of [`/admin/rules/${otherRuleId}`, `/admin/rules/${otherRuleId}/edit`, `/admin/rules/${otherRuleId}/results`]) await owner.get(path).expect(404);
    await owner.post(`/admin/rules/${otherRuleId}/edit`).type('form').send({ _csrf: token, name: 'Hijacked' }).set('Accept', 'text/html').expect(404);
    assert.equal((await triggers.rules.service.get(other.orgId, otherRuleId)).name, 'Other org rule');
  });

  it('tests a rule without side effects: outcome, per-condition trace and the rendered SMS', async () => {
    const marketer = await signIn('marketer@rules.example');
    const page = await marketer.get(`/admin/rules/${ruleId}`).expect(200);
    assert.match(page.text, /168 hours per visitor/);
    const token = csrfFrom(page.text);
    const fired = await marketer.post(`/admin/rules/${ruleId}/test`).type('form').send({ _csrf: token, eventType: 'presence.dwell', venueId: org.venueId, dwellMinutes: '30', assumeConsent: 'yes' }).expect(200);
    assert.match(fired.text, /Result: would fire/);
    assert.match(fired.text, /<th scope="row">trigger<\/th>/);
    assert.match(fired.text, /Enjoying Rules Org venue\? Coffee is on us\./);
    const missed = await marketer.post(`/admin/rules/${ruleId}/test`).type('form').send({ _csrf: token, eventType: 'presence.dwell', venueId: org.venueId, dwellMinutes: '10', assumeConsent: 'yes' }).expect(200);
    assert.match(missed.text, /Result: suppressed/);
    const { rows } = await database.pool.query<{ n: string }>('SELECT count(*) AS n FROM trigger_decisions WHERE rule_id = $1', [ruleId]);
    assert.equal(rows[0]?.n, '0');
  });

  it('shows every message next to its field, with the input kept, and saves nothing', async () => {
    const owner = await signIn('owner@rules.example');
    const form = formFields((await owner.get('/admin/rules/new').expect(200)).text, '/admin/rules');
    const bad = await owner
      .post('/admin/rules')
      .type('form')
      .send({ ...form, name: '', controlPercent: '80', visitsMin: '9', visitsMax: '3', 'cond-0-key': 'tier', 'cond-0-op': 'in', 'cond-1-key': '1bad', 'cond-1-value': 'x', 'sched-tue-0-from': '09:00', 'action-0-template': 'Hi there', 'action-1-on': 'yes', 'action-1-payload': '{"campaign": ' })
      .expect(400);
    const messages = errorsOf(bad.text);
    const expected: [string, string][] = [
      ['name', 'Required.'],
      ['controlPercent', 'At most 50.'],
      ['visitsMax', 'Min must not exceed max.'],
      ['cond-0-value', 'This condition needs a value.'],
      ['cond-1-key', 'Start with a letter or "_"'],
      ['sched-tue-0-to', 'Expected HH:MM (24-hour).'],
      ['action-1-payload', 'Not valid JSON:'],
    ];
    for (const [id, text] of expected) assert.ok(messages[id]?.startsWith(text), `${id}: ${String(messages[id])}`);
    assert.match(bad.text, /value="80"/);
    assert.match(bad.text, /id="cond-1-key" name="cond-1-key" value="1bad"/);
    assert.match(bad.text, />Hi there<\/textarea>/);
    assert.match(bad.text, /aria-invalid="true" aria-describedby="name-error"/);
    const badTemplate = await owner.post('/admin/rules').type('form').send({ ...form, name: 'Broken', 'action-0-template': 'Hi {{#if}}' }).expect(400);
    assert.match(badTemplate.text, /id="action-0-template-error"/);
    assert.match(badTemplate.text, /value="Broken"/);
    assert.equal((await triggers.rules.service.list(org.orgId)).length, 1);
  });

  it('creates a rule with every group of fields from the editor', async () => {
    const owner = await signIn('owner@rules.example');
    const form = formFields((await owner.get('/admin/rules/new').expect(200)).text, '/admin/rules');
    const created = await owner
      .post('/admin/rules')
      .type('form')
      .send({
        ...form,
        name: 'Lunch regulars',
        triggerType: 'presence.returned',
        minDays: '7',
        maxDays: '60',
        venueIds: org.venueId,
        loyalty: 'member',
        visitsMin: '3',
        'cond-0-key': 'tier',
        'cond-0-op': 'in',
        'cond-0-value': 'gold, silver',
        'sched-mon-0-from': '11:30',
        'sched-mon-0-to': '14:00',
        'sched-fri-0-from': '11:30',
        'sched-fri-0-to': '14:00',
        cooldownValue: '24',
        cooldownUnit: 'hours',
        quietMode: 'drop',
        controlPercent: '10',
        'action-0-template': 'Lunch at {{venue.name}}?',
        'action-1-on': 'yes',
        'action-1-payload': '{"campaign": "lunch"}',
        'action-1-withoutConsent': 'skip',
      })
      .expect(303);
    const id = /^\/admin\/rules\/([0-9a-f-]+)\?done=created$/.exec(String(created.headers.location))?.[1] ?? '';
    const d = (await triggers.rules.service.get(org.orgId, id)).definition;
    assert.deepEqual(d.trigger, { type: 'presence.returned', minDays: 7, maxDays: 60 });
    assert.deepEqual(d.scope.venueIds, [org.venueId]);
    assert.equal(d.audience.loyaltyMember, true);
    assert.deepEqual(d.audience.visitCount, { min: 3 });
    assert.deepEqual(d.audience.attributes, [{ key: 'tier', op: 'in', value: ['gold', 'silver'] }]);
    assert.deepEqual(d.schedule, [{ days: ['mon', 'fri'], from: '11:30', to: '14:00' }]);
    assert.equal(d.cooldownMinutes, 24 * 60);
    assert.deepEqual([d.quietHours.mode, d.controlGroupPercent], ['drop', 10]);
    assert.deepEqual(d.actions, [
      { type: 'sms', template: 'Lunch at {{venue.name}}?' },
      { type: 'webhook', endpointIds: [], payloadTemplate: { campaign: 'lunch' }, withoutConsent: 'skip' },
    ]);
    assert.match((await owner.get(`/admin/rules/${id}?done=created`).expect(200)).text, /Rule created\./);
  });

  it('edits a rule: the form saved unchanged keeps the definition, a change makes the next version', async () => {
    const endpoint = (await triggers.webhooks.service.create(org.orgId, { url: 'https://crm.example.com/hooks', description: 'Loyalty CRM' })).endpoint;
    const full = await triggers.rules.service.create(org.orgId, {
      ...ruleInput(org.venueId, 'Full rule'),
      audience: { knownVisitor: true, daysSinceLastVisit: { min: 5 }, attributes: [{ key: 'postcode', op: 'eq', value: '90210' }, { key: 'email', op: 'exists' }] },
      schedule: [{ days: ['sat', 'sun'], from: '21:00', to: '02:00' }],
      cooldownMinutes: 90,
      countsTowardsDailyCap: false,
      actions: [{ type: 'webhook', endpointIds: [endpoint.id], payloadTemplate: { a: '{{venue.name}}' } }, { type: 'sms', template: 'Hi & welcome' }],
    });
    const owner = await signIn('owner@rules.example');
    const page = await owner.get(`/admin/rules/${full.id}/edit`).expect(200);
    assert.match(page.text, /Loyalty CRM \(https:\/\/crm\.example\.com\/hooks\)/);
    const form = formFields(page.text, `/admin/rules/${full.id}/edit`);
    const same = await owner.post(`/admin/rules/${full.id}/edit`).type('form').send(form).expect(303);
    assert.equal(same.headers.location, `/admin/rules/${full.id}?done=saved`);
    const resaved = await triggers.rules.service.get(org.orgId, full.id);
    assert.equal(resaved.version, 2);
    assert.deepEqual(resaved.definition, full.definition);

    await owner.post(`/admin/rules/${full.id}/edit`).type('form').send({ ...form, name: 'Full rule, weekends', 'sched-sat-0-from': '20:00' }).expect(303);
    const changed = await triggers.rules.service.get(org.orgId, full.id);
    assert.equal(changed.version, 3);
    assert.equal(changed.name, 'Full rule, weekends');
    assert.deepEqual(changed.definition.schedule, [
      { days: ['sat'], from: '20:00', to: '02:00' },
      { days: ['sun'], from: '21:00', to: '02:00' },
    ]);
    const invalid = await owner.post(`/admin/rules/${full.id}/edit`).type('form').send({ ...form, dwellMinutes: '0' }).expect(400);
    assert.match(invalid.text, /id="dwellMinutes-error">At least 1\.</);
    assert.equal((await triggers.rules.service.get(org.orgId, full.id)).version, 3);
  });

  it('shows per-rule results for the period: funnel, reasons, deliveries and control-group lift', async () => {
    const rule = await triggers.rules.service.create(org.orgId, { ...ruleInput(org.venueId, 'Measured rule'), controlGroupPercent: 50 });
    await seedResults(database.pool, { orgId: org.orgId, venueId: org.venueId, ruleId: rule.id });
    const marketer = await signIn('marketer@rules.example');
    const month = await marketer.get(`/admin/rules/${rule.id}/results`).expect(200);
    const number = (html: string, label: string) => new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
    assert.deepEqual(['Events matched', 'Fired', 'Held for quiet hours', 'Suppressed', 'Control group visitors'].map((l) => number(month.text, l)), ['12', '5', '1', '7', '4']);
    assert.match(month.text, /<th scope="row">Cooldown not over<\/th><td><code>cooldown<\/code><\/td><td>2<\/td>/);
    assert.match(month.text, /<svg [^>]*role="img" aria-label="Suppressed decisions by reason"/);
    assert.match(month.text, /<th scope="row">SMS<\/th><td>0<\/td><td>1<\/td><td>2<\/td><td>0<\/td><td>0<\/td><td>3<\/td>/);
    // Messaged: 2 of 4 came back (a later visit; a sign-in), control 1 of 4: lift +100%.
    assert.equal(number(month.text, 'Lift'), '+100.0%');
    assert.match(month.text, /<th scope="row">Messaged \(fired\)<\/th><td>4<\/td><td>2<\/td><td>50\.0%<\/td>/);
    assert.match(month.text, /Too few visitors to trust this yet/);
    assert.match(month.text, /at least 60 minutes after that decision/);
    const quarter = await marketer.get(`/admin/rules/${rule.id}/results?period=90`).expect(200);
    assert.equal(number(quarter.text, 'Events matched'), '13');
    const bad = await marketer.get(`/admin/rules/${rule.id}/results?period=45`).expect(400);
    assert.match(bad.text, /id="period-error">Choose 7, 30 or 90 days\./);
  });

  it('lists deliveries with filters and replays a failed one', async () => {
    const deliveryId = await failedDelivery(org.orgId, org.venueId, ruleId);
    const marketer = await signIn('marketer@rules.example');
    const page = await marketer.get(`/admin/deliveries?status=failed&channel=webhook&ruleId=${ruleId}`).expect(200);
    assert.match(page.text, new RegExp(`/admin/deliveries/${deliveryId}/replay`));
    assert.match((await marketer.get('/admin/deliveries?status=delivered&channel=webhook').expect(200)).text, /No deliveries match/);
    const replayed = await marketer.post(`/admin/deliveries/${deliveryId}/replay`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    assert.equal(replayed.headers.location, '/admin/deliveries?done=replayed');
    const { rows } = await database.pool.query<{ status: string }>('SELECT status FROM trigger_deliveries WHERE id = $1', [deliveryId]);
    assert.equal(rows[0]?.status, 'pending');
    assert.ok((await scanKeys(redis, `${prefix}:*`)).length > 0, 'the replay was queued');
    const again = await marketer.post(`/admin/deliveries/${deliveryId}/replay`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    assert.equal(again.headers.location, '/admin/deliveries?done=not-replayable');
  });

  it("neither lists nor replays another organisation's delivery (404)", async () => {
    const foreign = await failedDelivery(other.orgId, other.venueId, otherRuleId);
    const owner = await signIn('owner@rules.example');
    const page = await owner.get('/admin/deliveries').expect(200);
    assert.doesNotMatch(page.text, new RegExp(foreign));
    await owner.post(`/admin/deliveries/${foreign}/replay`).type('form').send({ _csrf: csrfFrom(page.text) }).set('Accept', 'text/html').expect(404);
  });
});
