import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import type { Db } from '../../src/db/pool.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { newId } from '../../src/shared/ids.js';
import type { Triggers } from '../../src/triggers/index.js';
import { createPhoneHasher } from '../../src/triggers/phone-hash.js';
import { loadVisitorFacts, type RuleView } from '../../src/triggers/rules/index.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';
import { deletePrefix, scanKeys, testPrefix } from '../helpers/redis.js';

type ErrorBody = { error: { code: string; message: string; details?: { fields?: { path: string; message: string }[] } } };

const prefix = testPrefix();
let database: TestDatabase;
let factory: RedisFactory;
let redis: Redis;
let app: Express;
let triggers: Triggers;
let services: ReturnType<typeof buildTestApp>['services'];
let org: TestOrg;
let other: TestOrg;

before(async () => {
  database = await createTestDatabase();
  factory = createRedisFactory(TEST_REDIS_URL);
  redis = factory.create('client');
  // A queue prefix of its own: the rules-version keys land under it and are deleted afterwards.
  ({ app, triggers, services } = buildTestApp(testConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: prefix }), database, redis));
  org = await newOrg(services);
  other = await newOrg(services);
});
after(async () => {
  await triggers.close();
  await factory.closeAll();
  await deletePrefix(prefix);
  await database.drop();
});

const api = (o: TestOrg = org) => {
  const call = (method: 'post' | 'put' | 'patch') => (path: string, body: unknown) => request(app)[method](`/api/v1${path}`).set(bearer(o.apiKey)).send(body as object);
  const bare = (method: 'get' | 'delete') => (path: string) => request(app)[method](`/api/v1${path}`).set(bearer(o.apiKey));
  return { get: bare('get'), delete: bare('delete'), post: call('post'), put: call('put'), patch: call('patch') };
};
const versionKey = (orgId: string) => `${prefix}:triggers:rules-version:${orgId}`;
const welcome = (overrides: Record<string, unknown> = {}) => ({
  name: 'Welcome back',
  trigger: { type: 'presence.entered' },
  actions: [{ type: 'sms', template: 'Hi {{default visitor.attributes.firstName "there"}}, welcome to {{venue.name}}' }],
  ...overrides,
});
async function addVisitor(db: Db, orgId: string, v: { phone: string; smsConsent: boolean; attributes?: Record<string, unknown> }): Promise<string> {
  const repo = new VisitorRepository(db);
  const { id } = await repo.upsert({ id: newId(), orgId, phone: v.phone }, new Date());
  const consent = { id: newId(), purpose: 'sms_marketing' as const, granted: v.smsConsent, textVersion: 'v1', venueId: null, gatewayId: null, method: 'portal_form' as const };
  await repo.recordConsents(orgId, id, [consent], new Date());
  const attributes = JSON.stringify(v.attributes ?? {});
  await db.query('INSERT INTO visitor_attributes (visitor_id, org_id, attributes, updated_at) VALUES ($1, $2, $3, now())', [id, orgId, attributes]);
  return id;
}
async function insertEndpoint(db: Db, orgId: string): Promise<string> {
  const id = newId();
  await db.query("INSERT INTO webhook_endpoints (id, org_id, url, created_at, updated_at) VALUES ($1, $2, 'https://crm.example/hook', now(), now())", [id, orgId]);
  return id;
}
const tableCount = async (db: Db, table: 'trigger_decisions' | 'trigger_deliveries' | 'trigger_rules'): Promise<number> =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;

const fields = (body: unknown) => ((body as ErrorBody).error.details?.fields ?? []).map((f) => f.path);

describe('rules CRUD and versions', () => {
  it('creates version 1 with the defaults filled in, and lists and reads it', async () => {
    const res = await api().post('/rules', welcome()).expect(201);
    const rule = res.body as RuleView;
    assert.equal(rule.version, 1);
    assert.equal(rule.enabled, true);
    assert.equal(rule.definition.cooldownMinutes, 7 * 24 * 60);
    assert.deepEqual(rule.definition.scope, { venueIds: [], zoneIds: [] });
    assert.deepEqual((await api().get(`/rules/${rule.id}`).expect(200)).body, rule);
    const list = (await api().get('/rules').expect(200)).body as { items: RuleView[] };
    assert.deepEqual(list.items.map((r) => r.id), [rule.id]);
  });

  it('saves PUT and PATCH as new versions, PATCH merged into the current definition', async () => {
    const { id } = (await api().post('/rules', welcome({ audience: { attributes: [{ key: 'tier', op: 'eq', value: 'gold' }] } })).expect(201)).body as RuleView;
    const put = (await api().put(`/rules/${id}`, welcome({ name: 'Renamed', cooldownMinutes: 60, audience: { attributes: [{ key: 'tier', op: 'exists' }] } })).expect(200)).body as RuleView;
    assert.deepEqual([put.version, put.name], [2, 'Renamed']);
    const patched = (await api().patch(`/rules/${id}`, { audience: { loyaltyMember: true }, trigger: { type: 'presence.dwell', minutes: 15 } }).expect(200)).body as RuleView;
    assert.deepEqual([patched.version, patched.definition.cooldownMinutes], [3, 60], 'a new version; untouched fields are kept');
    assert.deepEqual(patched.definition.audience.attributes, [{ key: 'tier', op: 'exists' }], 'nested objects merge');
    assert.equal(patched.definition.audience.loyaltyMember, true);
    assert.deepEqual(patched.definition.trigger, { type: 'presence.dwell', minutes: 15 });
    const versions = (await api().get(`/rules/${id}/versions`).expect(200)).body as { items: { version: number; definition: { name: string }; savedAt: string }[] };
    assert.deepEqual(versions.items.map((v) => [v.version, v.definition.name]), [[3, 'Renamed'], [2, 'Renamed'], [1, 'Welcome back']]);
    assert.ok(versions.items.every((v) => !Number.isNaN(Date.parse(v.savedAt))));
  });

  it('soft-deletes: 204, then hidden everywhere but kept for the decision log', async () => {
    const { id } = (await api().post('/rules', welcome()).expect(201)).body as RuleView;
    await api().delete(`/rules/${id}`).expect(204);
    await api().get(`/rules/${id}`).expect(404);
    await api().delete(`/rules/${id}`).expect(404);
    assert.ok(!((await api().get('/rules')).body as { items: RuleView[] }).items.some((r) => r.id === id));
    const { rows } = await database.pool.query<{ deleted: boolean }>('SELECT deleted_at IS NOT NULL AS deleted FROM trigger_rules WHERE id = $1', [id]);
    assert.deepEqual(rows, [{ deleted: true }]);
  });

  it("answers 404 for another organisation's rule on every route", async () => {
    const { id } = (await api().post('/rules', welcome()).expect(201)).body as RuleView;
    const them = api(other);
    await them.get(`/rules/${id}`).expect(404);
    await them.put(`/rules/${id}`, welcome()).expect(404);
    await them.patch(`/rules/${id}`, { name: 'x' }).expect(404);
    await them.get(`/rules/${id}/versions`).expect(404);
    await them.post(`/rules/${id}/test`, { event: { type: 'presence.entered', venueId: other.venueId } }).expect(404);
    await them.delete(`/rules/${id}`).expect(404);
    assert.deepEqual(((await them.get('/rules')).body as { items: unknown[] }).items, []);
    await api().get('/rules/not-a-uuid').expect(404);
    await api().get(`/rules/${id}`).expect(200);
  });
});

describe('rule validation', () => {
  it('lists every bad field', async () => {
    const res = await api().post('/rules', { trigger: { type: 'presence.entered' }, schedule: [{ from: '9am', to: '17:00' }], actions: [] }).expect(400);
    assert.equal((res.body as ErrorBody).error.code, 'VALIDATION_FAILED');
    assert.deepEqual(fields(res.body).sort(), ['actions', 'name', 'schedule.0.from']);
    const op = await api().post('/rules', welcome({ audience: { attributes: [{ key: 'tier', op: 'in', value: 'gold' }] } })).expect(400);
    assert.deepEqual(fields(op.body), ['audience.attributes.0.value']);
  });

  it('refuses a template that does not compile, naming the action', async () => {
    const res = await api().post('/rules', welcome({ actions: [{ type: 'webhook' }, { type: 'sms', template: 'Hi {{#if visitor}}' }] })).expect(400);
    const body = res.body as ErrorBody;
    assert.equal(body.error.code, 'TEMPLATE_INVALID');
    assert.deepEqual(fields(body), ['actions.1.template']);
    assert.match(body.error.message, /actions\.1\.template/);
  });

  it("refuses venues, zones and endpoints that are not the organisation's own", async () => {
    const zone = await services.venues.createZone(org.orgId, org.venueId, { name: 'Bar' });
    const otherVenue = await services.venues.create(org.orgId, { name: 'Second', timezone: 'Europe/London' });
    const endpoint = await insertEndpoint(database.pool, org.orgId);
    const theirs = await insertEndpoint(database.pool, other.orgId);
    const ok = welcome({ scope: { venueIds: [org.venueId], zoneIds: [zone.id] }, actions: [{ type: 'webhook', endpointIds: [endpoint] }] });
    await api().post('/rules', ok).expect(201);
    const bad = welcome({ scope: { venueIds: [other.venueId, otherVenue.id], zoneIds: [zone.id] }, actions: [{ type: 'webhook', endpointIds: [endpoint, theirs] }] });
    const res = await api().post('/rules', bad).expect(400);
    assert.deepEqual(fields(res.body), ['scope.venueIds.0', 'scope.zoneIds.0', 'actions.0.endpointIds.1']);
    assert.match((res.body as ErrorBody).error.message, /unknown venue/);
  });
});

describe('rule cache across processes', () => {
  it('bumps the version key on every change and every process reloads', async () => {
    const second = buildTestApp(testConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: prefix }), database, redis);
    const fresh = await newOrg(services);
    assert.deepEqual(await second.triggers.rules.rulesFor(fresh.orgId, fresh.venueId), []);
    const before = await redis.get(versionKey(fresh.orgId));
    const { id } = (await api(fresh).post('/rules', welcome()).expect(201)).body as RuleView;
    const afterCreate = await redis.get(versionKey(fresh.orgId));
    assert.notEqual(afterCreate, before);
    assert.deepEqual((await second.triggers.rules.rulesFor(fresh.orgId, fresh.venueId)).map((r) => r.id), [id]);
    assert.deepEqual(await second.triggers.rules.rulesFor(fresh.orgId, org.venueId).then((r) => r.length), 1, 'no venue scope: every venue');

    await api(fresh).patch(`/rules/${id}`, { enabled: false }).expect(200);
    assert.notEqual(await redis.get(versionKey(fresh.orgId)), afterCreate);
    assert.deepEqual(await second.triggers.rules.rulesFor(fresh.orgId, fresh.venueId), [], 'disabled rules are not evaluated');
    assert.deepEqual(await triggers.rules.rulesFor(fresh.orgId, fresh.venueId), []);
    await api(fresh).put('/trigger-settings', { dailyCapPerVisitor: 1 }).expect(200);
    assert.equal((await second.triggers.rules.settingsFor(fresh.orgId)).dailyCapPerVisitor, 1);
    await second.triggers.close();
  });

  it('keeps a venue-scoped rule to its venue', async () => {
    const fresh = await newOrg(services);
    const elsewhere = await services.venues.create(fresh.orgId, { name: 'Elsewhere', timezone: 'Europe/Paris' });
    await api(fresh).post('/rules', welcome({ scope: { venueIds: [fresh.venueId] } })).expect(201);
    assert.equal((await triggers.rules.rulesFor(fresh.orgId, fresh.venueId)).length, 1);
    assert.equal((await triggers.rules.rulesFor(fresh.orgId, elsewhere.id)).length, 0);
  });
});

describe('rule test endpoints', () => {
  const midday = '2026-06-10T11:00:00.000Z';

  it('evaluates against the real visitor and renders the SMS without writing anything', async () => {
    const visitorId = await addVisitor(database.pool, org.orgId, { phone: '+447700900111', smsConsent: true, attributes: { firstName: 'Ann' } });
    const { id } = (await api().post('/rules', welcome()).expect(201)).body as RuleView;
    const [keysBefore, versionBefore] = [(await scanKeys(redis, `${prefix}*`)).sort(), await redis.get(versionKey(org.orgId))];
    const res = await api().post(`/rules/${id}/test`, { event: { type: 'presence.entered', venueId: org.venueId, visitorId }, now: midday }).expect(200);
    const body = res.body as { decision: { outcome: string; trace: { condition: string; passed: boolean }[]; actions: unknown[] }; rendered: { sms?: string } };
    assert.deepEqual([body.decision.outcome, body.decision.actions], ['fired', [{ index: 0, channel: 'sms', status: 'send' }]]);
    assert.ok(body.decision.trace.some((t) => t.condition === 'actions.0.consent.sms' && t.passed));
    assert.match(body.rendered.sms ?? '', /^Hi Ann, welcome to Org .* venue$/);
    assert.deepEqual([await tableCount(database.pool, 'trigger_decisions'), await tableCount(database.pool, 'trigger_deliveries')], [0, 0]);
    assert.deepEqual((await scanKeys(redis, `${prefix}*`)).sort(), keysBefore, 'no queue jobs, no Redis writes');
    assert.equal(await redis.get(versionKey(org.orgId)), versionBefore);
  });

  it('lets the request override the stored facts and history', async () => {
    const visitorId = await addVisitor(database.pool, org.orgId, { phone: '+447700900112', smsConsent: true });
    const { id } = (await api().post('/rules', welcome({ cooldownMinutes: 60 })).expect(201)).body as RuleView;
    const event = { type: 'presence.entered', venueId: org.venueId, visitorId };
    const noConsent = await api().post(`/rules/${id}/test`, { event, now: midday, visitor: { consent: { sms_marketing: false } } }).expect(200);
    assert.equal((noConsent.body as { decision: { reason: string } }).decision.reason, 'no_consent');
    const cooling = await api().post(`/rules/${id}/test`, { event, now: midday, history: { lastFiredAt: '2026-06-10T10:30:00.000Z' } }).expect(200);
    assert.equal((cooling.body as { decision: { reason: string } }).decision.reason, 'cooldown');
    const late = await api().post(`/rules/${id}/test`, { event, now: '2026-06-10T21:30:00.000Z' }).expect(200);
    const held = [{ index: 0, channel: 'sms', status: 'hold', notBefore: '2026-06-11T07:00:00.000Z' }];
    assert.deepEqual((late.body as { decision: { actions: unknown[] } }).decision.actions, held, 'quiet hours end at 08:00 BST');
  });

  it('tests a draft rule without saving it, with a described visitor', async () => {
    const before = await tableCount(database.pool, 'trigger_rules');
    const draft = welcome({ audience: { loyaltyMember: true }, actions: [{ type: 'webhook', payloadTemplate: { tier: '{{visitor.attributes.tier}}', v: '{{visitor.id}}' } }] });
    const visitor = { loyaltyMember: true, attributes: { tier: 'gold' }, consent: { crm_sharing: false } };
    const res = await api().post('/rules/test', { rule: draft, event: { type: 'presence.entered', venueId: org.venueId }, now: midday, visitor }).expect(200);
    const body = res.body as { decision: { outcome: string; actions: { personalData?: boolean }[] }; rendered: { webhook?: Record<string, unknown> } };
    assert.deepEqual([body.decision.outcome, body.decision.actions[0]?.personalData], ['fired', false]);
    assert.deepEqual(body.rendered.webhook, { tier: '', v: '00000000-0000-4000-8000-000000000000' }, 'no attributes without CRM consent');
    assert.equal(await tableCount(database.pool, 'trigger_rules'), before);
  });

  it('reports problems of the draft and the event under their own paths, and unknown ids as 404', async () => {
    const bad = await api().post('/rules/test', { rule: welcome({ actions: [{ type: 'sms', template: '{{' }] }), event: { type: 'presence.entered', venueId: org.venueId } }).expect(400);
    assert.deepEqual(fields(bad.body), ['rule.actions.0.template']);
    const dwell = await api().post('/rules/test', { rule: welcome(), event: { type: 'presence.dwell', venueId: org.venueId } }).expect(400);
    assert.deepEqual(fields(dwell.body), ['event.dwellMinutes']);
    await api().post('/rules/test', { rule: welcome(), event: { type: 'presence.entered', venueId: other.venueId } }).expect(404);
    await api().post('/rules/test', { rule: welcome(), event: { type: 'presence.entered', venueId: org.venueId, visitorId: newId() } }).expect(404);
  });
});

describe('stored facts and firing history', () => {
  it('counts fired decisions of cap-counting rules in the local day, and the last firing for the cooldown', async () => {
    const fresh = await newOrg(services);
    await api(fresh).put('/trigger-settings', { dailyCapPerVisitor: 2 }).expect(200);
    const visitorId = await addVisitor(database.pool, fresh.orgId, { phone: '+447700900113', smsConsent: true });
    const create = async (extra: Record<string, unknown>) => ((await api(fresh).post('/rules', welcome(extra)).expect(201)).body as RuleView).id;
    const [tested, counting, exempt] = [await create({ cooldownMinutes: 60 }), await create({}), await create({ countsTowardsDailyCap: false })];
    const decide = (ruleId: string, outcome: string, at: string) =>
      database.pool.query(`INSERT INTO trigger_decisions (id, org_id, rule_id, rule_version, event_id, event_type, venue_id, visitor_id, outcome, trace, occurred_at, decided_at)
         VALUES ($1, $2, $3, 1, $4, 'presence.entered', $5, $6, $7, '[]', $8, $8)`, [newId(), fresh.orgId, ruleId, newId(), fresh.venueId, visitorId, outcome, at]);
    await decide(counting, 'fired', '2026-06-09T23:30:00Z'); // 00:30 BST today
    await decide(exempt, 'fired', '2026-06-10T08:00:00Z');
    await decide(counting, 'suppressed', '2026-06-10T09:00:00Z');
    await decide(counting, 'fired', '2026-06-09T22:30:00Z'); // 23:30 BST yesterday
    const test = async () => {
      const res = await api(fresh).post(`/rules/${tested}/test`, { event: { type: 'presence.entered', venueId: fresh.venueId, visitorId }, now: '2026-06-10T11:00:00.000Z' }).expect(200);
      return (res.body as { decision: { reason?: string; trace: { condition: string; actual: unknown }[] } }).decision;
    };
    assert.equal((await test()).trace.find((t) => t.condition === 'dailyCap')?.actual, 1);
    await decide(counting, 'fired', '2026-06-10T10:00:00Z');
    const capped = await test();
    assert.deepEqual([capped.reason, capped.trace.find((t) => t.condition === 'dailyCap')?.actual], ['daily_cap', 2]);
    await api(fresh).put('/trigger-settings', { dailyCapPerVisitor: 0 }).expect(200);
    await decide(tested, 'fired', '2026-06-10T10:30:00Z');
    assert.equal((await test()).reason, 'cooldown');
  });

  it('loads consent, suppression and visit statistics, counting the visit in hand once', async () => {
    const visitorId = await addVisitor(database.pool, org.orgId, { phone: '+447700900114', smsConsent: true });
    await database.pool.query(`INSERT INTO visitor_visit_stats (visitor_id, org_id, venue_id, visits, first_visit_at, last_visit_at, previous_visit_at, last_visit_key)
       VALUES ($1, $2, $3, 3, '2026-01-01T10:00:00Z', '2026-06-01T10:00:00Z', '2026-05-20T09:00:00Z', 'visit-3')`, [visitorId, org.orgId, org.venueId]);
    const hash = createPhoneHasher(TEST_SECRET_KEY);
    const load = (visitKey?: string) => loadVisitorFacts(database.pool, { orgId: org.orgId, visitorId, venueId: org.venueId, visitKey }, hash);
    const stored = await load();
    assert.deepEqual([stored?.visitCount, stored?.previousVisitAt?.toISOString(), stored?.consent.sms_marketing, stored?.smsSuppressed], [3, '2026-06-01T10:00:00.000Z', true, false]);
    const next = await load('visit-4'); // not counted yet: this visit makes four
    assert.deepEqual([next?.visitCount, next?.previousVisitAt?.toISOString()], [4, '2026-06-01T10:00:00.000Z']);
    // Already counted (a login after the entered event of the same visit): the visit before it is the previous one.
    assert.deepEqual([(await load('visit-3'))?.visitCount, (await load('visit-3'))?.previousVisitAt?.toISOString()], [3, '2026-05-20T09:00:00.000Z']);
    // A STOP to the shared number suppresses the phone for every organisation.
    await database.pool.query("INSERT INTO sms_suppressions (phone_hash, org_id, reason, created_at) VALUES ($1, NULL, 'stop_reply', now())", [hash('+447700900114')]);
    assert.equal((await load())?.smsSuppressed, true);
    assert.equal(await loadVisitorFacts(database.pool, { orgId: other.orgId, visitorId, venueId: org.venueId }, hash), null, "another organisation's visitor");
  });
});

describe('trigger settings', () => {
  it('starts from the defaults and merges partial updates', async () => {
    const fresh = await newOrg(services);
    const defaults = { dailyCapPerVisitor: 3, quietHours: { from: '21:00', to: '08:00' }, optOutLine: 'Reply STOP to opt out' };
    assert.deepEqual((await api(fresh).get('/trigger-settings').expect(200)).body, defaults);
    const updated = await api(fresh).put('/trigger-settings', { dailyCapPerVisitor: 1, quietHours: { from: '22:00' } }).expect(200);
    assert.deepEqual(updated.body, { ...defaults, dailyCapPerVisitor: 1, quietHours: { from: '22:00', to: '08:00' } });
    assert.deepEqual((await api(fresh).get('/trigger-settings')).body, updated.body);
    const bad = await api(fresh).put('/trigger-settings', { dailyCapPerVisitor: -1, colour: 'red' }).expect(400);
    assert.deepEqual(fields(bad.body).sort(), ['(body)', 'dailyCapPerVisitor']);
    assert.equal(((await api(other).get('/trigger-settings')).body as { dailyCapPerVisitor: number }).dailyCapPerVisitor, 3);
  });
});
