import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import type { Services } from '../../src/services.js';
import { newId } from '../../src/shared/ids.js';
import type { Triggers } from '../../src/triggers/index.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';
import { csrfFrom, signedInAgent } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';
type Agent = ReturnType<typeof request.agent>;

/** The id of the staff user or API key whose table row carries this marker (data-email / data-name). */
function rowId(html: string, marker: string, action: string): string {
  const row = html.split('<tr').find((r) => r.includes(marker));
  const id = row && new RegExp(`/admin/${action}/([0-9a-f-]{36})/`).exec(row)?.[1];
  assert.ok(id, `a row for ${marker}`);
  return id;
}

const PORTAL_FORM = {
  allowedCountries: 'gb  IE',
  defaultCountry: 'GB',
  recognitionDays: '14',
  loginRetentionDays: '200',
  verification: 'own-code',
  sms_perPhonePerDay: '3',
  sms_perOrgPerMonth: '500',
  crmUrl: 'https://crm.example/passby',
  crmSecret: 'a-crm-signing-secret-0123',
};

describe('admin organisation set-up pages: settings, staff users, API keys', () => {
  let database: TestDatabase;
  let factory: RedisFactory;
  let redis: Redis;
  let prefix: string;
  let app: Express;
  let services: Services;
  let triggers: Triggers;
  let org: TestOrg;
  let rival: TestOrg;
  let owner: Agent;
  let ownerToken: string;

  const signIn = (email: string, password = PASSWORD): Promise<Agent> => signedInAgent(app, email, password);
  const portalSettings = async (o: TestOrg) => (await request(app).get('/api/v1/portal/settings').set(bearer(o.apiKey)).expect(200)).body as Record<string, unknown>;

  before(async () => {
    database = await createTestDatabase();
    prefix = testPrefix();
    factory = createRedisFactory(TEST_REDIS_URL);
    redis = factory.create('client');
    ({ app, services, triggers } = buildTestApp(testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix }), database, redis));
    org = await newOrg(services, 'Setup Org');
    rival = await newOrg(services, 'Rival Setup Org');
    for (const role of ['owner', 'marketer', 'analyst'] as const) {
      await services.organisations.createUser(org.orgId, { email: `${role}@setup.example`, role, password: PASSWORD });
    }
    await services.organisations.createUser(rival.orgId, { email: 'owner@rival-setup.example', role: 'owner', password: PASSWORD });
    owner = await signIn('owner@setup.example');
    ownerToken = csrfFrom((await owner.get('/admin/settings').expect(200)).text);
  });
  after(async () => {
    await triggers.close();
    await factory.closeAll();
    await deletePrefix(prefix);
    await database.drop();
  });

  it('lets owners only in: other roles get 403, signed-out visitors go to the login page', async () => {
    const marketer = await signIn('marketer@setup.example');
    const analyst = await signIn('analyst@setup.example');
    for (const path of ['/admin/settings', '/admin/staff', '/admin/api-keys']) {
      assert.match((await marketer.get(path).expect(403)).text, /needs the owner role/, path);
      await analyst.get(path).expect(403);
      const signedOut = await request(app).get(path).expect(303);
      assert.equal(signedOut.headers.location, `/login?next=${encodeURIComponent(path)}`);
    }
    const token = csrfFrom((await marketer.get('/admin').expect(200)).text);
    await marketer.post('/admin/api-keys').type('form').send({ _csrf: token, name: 'sneaky' }).expect(403);
    assert.equal((await services.organisations.listApiKeys(org.orgId)).length, 1, 'only the default key');
  });

  it('refuses every form without the CSRF token', async () => {
    for (const path of ['/admin/settings/portal', '/admin/settings/consent', '/admin/settings/messages', '/admin/staff', '/admin/api-keys']) {
      await owner.post(path).type('form').send({ name: 'x' }).set('Accept', 'text/html').expect(403);
    }
  });

  it('shows the settings with labelled fields, the consent versions in use and the retention read from the config', async () => {
    const visitors = new VisitorRepository(database.pool);
    const visitor = await visitors.upsert({ id: newId(), orgId: org.orgId, phone: '+447400200001' }, new Date());
    const consent = (textVersion: string) => ({ id: newId(), purpose: 'terms' as const, granted: true, venueId: org.venueId, gatewayId: null, method: 'portal_form' as const, textVersion });
    await visitors.recordConsents(org.orgId, visitor.id, [consent('autumn-2025'), consent('autumn-2025')], new Date('2025-10-01T09:00:00Z'));
    await visitors.recordConsents(org.orgId, visitor.id, [consent('spring-2026')], new Date('2026-03-02T10:30:00Z'));

    const page = (await owner.get('/admin/settings').expect(200)).text;
    for (const id of ['allowedCountries', 'recognitionDays', 'sms_perOrgPerMonth', 'crmSecret', 'consentVersion', 'optOutLine', 'quietFrom']) {
      assert.match(page, new RegExp(`<label for="${id}">`), id);
    }
    assert.match(page, /Signing secret: <strong class="so-muted">not set<\/strong>/);
    const rows = page.split('class="consent-version-row"').slice(1);
    assert.equal(rows.length, 2);
    assert.match(rows[0] ?? '', /spring-2026[\s\S]*<td>1<\/td>[\s\S]*2026-03-02 10:30 UTC/);
    assert.match(rows[1] ?? '', /autumn-2025[\s\S]*<td>2<\/td>[\s\S]*2025-10-01 09:00 UTC/);
    assert.match(page, new RegExp(`href="/admin/venues/${org.venueId}/settings"`));
    assert.match(page, /<td>30 days<\/td><td><code>ANALYTICS_PROBE_RETENTION_DAYS<\/code>/);
    assert.match(page, /<code>ANALYTICS_SALT_ROTATION_HOURS<\/code>/);
  });

  it('saves the portal settings (keeping the consent version), then replaces nothing and removes the CRM secret', async () => {
    await owner.post('/admin/settings/consent').type('form').send({ _csrf: ownerToken, consentVersion: 'texts-2026-03' }).expect(303);
    const saved = await owner.post('/admin/settings/portal').type('form').send({ _csrf: ownerToken, ...PORTAL_FORM }).expect(303);
    assert.equal(saved.headers.location, '/admin/settings?saved=portal');
    const stored = await portalSettings(org);
    assert.deepEqual(stored.allowedCountries, ['GB', 'IE']);
    assert.equal(stored.recognitionDays, 14);
    assert.equal(stored.loginRetentionDays, 200);
    assert.equal(stored.verification, 'own-code');
    assert.deepEqual(stored.sms, { perPhonePerDay: 3, perOrgPerMonth: 500 }, 'blank SMS fields keep their defaults');
    assert.deepEqual(stored.crm, { url: 'https://crm.example/passby' });
    assert.equal(stored.crmSecretSet, true);
    assert.equal(stored.consentVersion, 'texts-2026-03');

    const page = (await owner.get('/admin/settings?saved=portal').expect(200)).text;
    assert.match(page, /Portal settings saved/);
    assert.match(page, /Signing secret: <strong class="so-on">set<\/strong>/);
    assert.doesNotMatch(page, /a-crm-signing-secret/, 'the secret is never shown');

    const { crmSecret: _typed, ...withoutSecret } = PORTAL_FORM;
    await owner.post('/admin/settings/portal').type('form').send({ _csrf: ownerToken, ...withoutSecret }).expect(303);
    assert.equal((await portalSettings(org)).crmSecretSet, true, 'an empty secret field keeps the secret');
    await owner.post('/admin/settings/portal').type('form').send({ _csrf: ownerToken, ...withoutSecret, crmSecretRemove: 'on' }).expect(303);
    assert.equal((await portalSettings(org)).crmSecretSet, false);
  });

  it('shows portal validation messages next to their fields, keeps the input as typed and saves nothing', async () => {
    const before = await portalSettings(org);
    const res = await owner
      .post('/admin/settings/portal')
      .type('form')
      .send({ _csrf: ownerToken, ...PORTAL_FORM, allowedCountries: 'GB, XX', recognitionDays: '400', sms_checksPerCode: 'lots', crmSecret: 'short' })
      .expect(400);
    assert.match(res.text, /<p class="so-field-error" id="allowedCountries-error">&quot;XX&quot;: expected an ISO 3166 country code/);
    assert.match(res.text, /id="recognitionDays-error">must be at most 365</);
    assert.match(res.text, /id="sms_checksPerCode-error">enter a whole number</);
    assert.match(res.text, /id="crmSecret-error">must be at least 16 characters</);
    assert.match(res.text, /value="GB, XX"/);
    assert.match(res.text, /value="400"/);
    assert.doesNotMatch(res.text, /value="short"/, 'a typed secret is not echoed back');
    assert.deepEqual(await portalSettings(org), before);
  });

  it('saves the consent version and refuses an empty one next to the field', async () => {
    const empty = await owner.post('/admin/settings/consent').type('form').send({ _csrf: ownerToken, consentVersion: '  ' }).expect(400);
    assert.match(empty.text, /id="consentVersion-error">must not be empty</);
    await owner.post('/admin/settings/consent').type('form').send({ _csrf: ownerToken, consentVersion: 'texts-2026-04' }).expect(303);
    assert.equal((await portalSettings(org)).consentVersion, 'texts-2026-04');
    assert.equal((await portalSettings(rival)).consentVersion, 'passby-default-1', 'other organisations are untouched');
  });

  it('saves the marketing message settings through the trigger settings service, with errors next to fields', async () => {
    const form = { _csrf: ownerToken, optOutLine: 'Text STOP to end', dailyCapPerVisitor: '2', quietFrom: '22:00', quietTo: '07:30' };
    await owner.post('/admin/settings/messages').type('form').send(form).expect(303);
    assert.deepEqual(await triggers.rules.settings.get(org.orgId), { optOutLine: 'Text STOP to end', dailyCapPerVisitor: 2, quietHours: { from: '22:00', to: '07:30' } });

    const bad = await owner.post('/admin/settings/messages').type('form').send({ ...form, optOutLine: 'Reply END', quietTo: '25:00', dailyCapPerVisitor: '101' }).expect(400);
    assert.match(bad.text, /id="quietTo-error">/);
    assert.match(bad.text, /id="dailyCapPerVisitor-error">must be at most 100</);
    assert.match(bad.text, /value="Reply END"/);
    assert.equal((await triggers.rules.settings.get(org.orgId)).optOutLine, 'Text STOP to end');
  });

  it('adds a staff user with a generated password shown once, which signs in', async () => {
    const page = (await owner.get('/admin/staff').expect(200)).text;
    assert.match(page, /data-email="marketer@setup.example"/);
    assert.doesNotMatch(page, /rival-setup/);
    const res = await owner.post('/admin/staff').type('form').send({ _csrf: ownerToken, email: 'New.Marketer@setup.example', name: 'Nia', role: 'marketer', password: '' }).expect(201);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(res.text, /it will not be shown again/);
    const password = /id="generated-password">([^<]+)</.exec(res.text)?.[1];
    assert.ok(password);
    const agent = await signIn('new.marketer@setup.example', password);
    await agent.get('/admin/rules').expect(200);
    const list = (await owner.get('/admin/staff').expect(200)).text;
    assert.doesNotMatch(list, new RegExp(password), 'the password is not shown again');
  });

  it('shows add-user problems next to the fields and keeps the input', async () => {
    const invalid = await owner.post('/admin/staff').type('form').send({ _csrf: ownerToken, email: 'not-an-email', name: 'Ann', role: 'analyst', password: 'short' }).expect(400);
    assert.match(invalid.text, /id="email-error">expected an email address</);
    assert.match(invalid.text, /id="password-error">must be at least 10 characters</);
    assert.match(invalid.text, /value="not-an-email"/);
    assert.match(invalid.text, /<option value="analyst" selected>/);
    const taken = await owner.post('/admin/staff').type('form').send({ _csrf: ownerToken, email: 'owner@rival-setup.example', role: 'analyst' }).expect(409);
    assert.match(taken.text, /id="email-error">a staff user with this email already exists</);
  });

  it("changes a role and disables a user at once (their open session stops), and enables them again", async () => {
    await services.organisations.createUser(org.orgId, { email: 'temp@setup.example', role: 'marketer', password: PASSWORD });
    const temp = await signIn('temp@setup.example');
    await temp.get('/admin/rules').expect(200);
    const id = rowId((await owner.get('/admin/staff').expect(200)).text, 'data-email="temp@setup.example"', 'staff');

    const role = await owner.post(`/admin/staff/${id}/role`).type('form').send({ _csrf: ownerToken, role: 'analyst' }).expect(303);
    assert.equal(role.headers.location, '/admin/staff?saved=role');
    await temp.get('/admin/rules').expect(403);

    await owner.post(`/admin/staff/${id}/disable`).type('form').send({ _csrf: ownerToken }).expect(303);
    assert.equal((await temp.get('/admin').expect(303)).headers.location, '/login?next=%2Fadmin');
    const agent = request.agent(app);
    const token = csrfFrom((await agent.get('/login')).text);
    await agent.post('/login').type('form').send({ _csrf: token, email: 'temp@setup.example', password: PASSWORD }).expect(401);
    assert.match((await owner.get('/admin/staff').expect(200)).text, /data-email="temp@setup.example"[\s\S]*?so-badge so-off">disabled/);

    await owner.post(`/admin/staff/${id}/enable`).type('form').send({ _csrf: ownerToken }).expect(303);
    await (await signIn('temp@setup.example')).get('/admin').expect(200);
  });

  it('refuses to let an owner demote or disable themself, with a clear message', async () => {
    const me = (await services.organisations.listUsers(org.orgId)).find((u) => u.email === 'owner@setup.example');
    assert.ok(me);
    const demote = await owner.post(`/admin/staff/${me.id}/role`).type('form').send({ _csrf: ownerToken, role: 'analyst' }).expect(403);
    assert.match(demote.text, /class="so-problem" role="alert">You cannot change your own role/);
    const disable = await owner.post(`/admin/staff/${me.id}/disable`).type('form').send({ _csrf: ownerToken }).expect(403);
    assert.match(disable.text, /You cannot disable your own account/);
    await owner.get('/admin/settings').expect(200);
    const stillMe = (await services.organisations.listUsers(org.orgId)).find((u) => u.id === me.id);
    assert.ok(stillMe);
    assert.equal(stillMe.role, 'owner');
    assert.equal(stillMe.disabledAt, null);
  });

  it("keeps organisations apart: another org's staff user or API key is not found", async () => {
    const rivalUser = (await services.organisations.listUsers(rival.orgId))[0];
    const rivalKey = (await services.organisations.listApiKeys(rival.orgId))[0];
    assert.ok(rivalUser && rivalKey);
    await owner.post(`/admin/staff/${rivalUser.id}/role`).type('form').send({ _csrf: ownerToken, role: 'analyst' }).set('Accept', 'text/html').expect(404);
    await owner.post(`/admin/staff/${rivalUser.id}/disable`).type('form').send({ _csrf: ownerToken }).set('Accept', 'text/html').expect(404);
    await owner.get(`/admin/api-keys/${rivalKey.id}/revoke`).set('Accept', 'text/html').expect(404);
    await owner.post(`/admin/api-keys/${rivalKey.id}/revoke`).type('form').send({ _csrf: ownerToken }).set('Accept', 'text/html').expect(404);
    await owner.get('/admin/api-keys/not-an-id/revoke').set('Accept', 'text/html').expect(404);
    assert.equal((await services.organisations.listUsers(rival.orgId))[0]?.role, 'owner');
    await request(app).get('/api/v1/organisation').set(bearer(rival.apiKey)).expect(200);
  });

  it('creates an API key shown once, lists it, and revokes it after confirmation: the key stops working at once', async () => {
    const empty = await owner.post('/admin/api-keys').type('form').send({ _csrf: ownerToken, name: '   ' }).expect(400);
    assert.match(empty.text, /id="key-name-error">must not be empty</);

    const created = await owner.post('/admin/api-keys').type('form').send({ _csrf: ownerToken, name: 'CRM sync' }).expect(201);
    assert.equal(created.headers['cache-control'], 'no-store');
    const token = /id="api-key-token">(pbk_[^<]+)</.exec(created.text)?.[1];
    assert.ok(token);
    assert.match(created.text, /Copy this key now/);
    await request(app).get('/api/v1/organisation').set(bearer(token)).expect(200);

    const list = (await owner.get('/admin/api-keys').expect(200)).text;
    assert.doesNotMatch(list, new RegExp(token), 'the token is not shown again');
    assert.match(list, new RegExp(`<code>${token.slice(0, 16)}_…</code>`));
    const id = rowId(list, 'data-name="CRM sync"', 'api-keys');
    const confirm = await owner.get(`/admin/api-keys/${id}/revoke`).expect(200);
    assert.match(confirm.text, /Revoke this key/);
    const revoked = await owner.post(`/admin/api-keys/${id}/revoke`).type('form').send({ _csrf: csrfFrom(confirm.text) }).expect(303);
    assert.equal(revoked.headers.location, '/admin/api-keys?saved=revoked');
    await request(app).get('/api/v1/organisation').set(bearer(token)).expect(401);
    await request(app).get('/api/v1/organisation').set(bearer(org.apiKey)).expect(200);
    assert.match((await owner.get('/admin/api-keys?saved=revoked').expect(200)).text, /data-name="CRM sync"[\s\S]*?so-badge so-off">revoked/);
  });
});
