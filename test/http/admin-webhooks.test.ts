import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { newId } from '../../src/shared/ids.js';
import type { Services } from '../../src/services.js';
import type { Triggers } from '../../src/triggers/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.server.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { csrfFrom, signedInAgent } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';
type Agent = ReturnType<typeof request.agent>;

const secretsIn = (html: string): string[] => html.match(/whsec_[A-Za-z0-9+/=]+/g) ?? [];
/** An urlencoded body with repeated keys for the checkboxes (as a browser posts it). */
const form = (fields: Record<string, string | string[]>): string => {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
  return body.toString();
};

describe('admin webhook endpoint pages', () => {
  let database: TestDatabase;
  let redis: RedisFactory;
  let app: Express;
  let services: Services;
  let triggers: Triggers;
  let crm: WebhookReceiver;
  let dataDir: string;
  let org: TestOrg;
  let owner: Agent;
  let marketer: Agent;
  let rivalOwner: Agent;
  let token: string;

  const signIn = (email: string): Promise<Agent> => signedInAgent(app, email, PASSWORD);

  /** An endpoint at the fake CRM created through the form; the receiver learns its secret. */
  async function createEndpoint(fields: Record<string, string | string[]> = {}): Promise<{ id: string; secret: string; html: string }> {
    const res = await owner.post('/admin/webhooks').type('form').send(form({ _csrf: token, url: crm.url, ...fields })).expect(201);
    const [secret] = secretsIn(res.text);
    assert.ok(secret, 'the new secret is on the page');
    const id = /href="\/admin\/webhooks\/([0-9a-f-]{36})"/.exec(res.text)?.[1];
    assert.ok(id);
    return { id, secret, html: res.text };
  }

  before(async () => {
    [database, crm] = await Promise.all([createTestDatabase(), startWebhookReceiver({ secrets: [] })]);
    const config = testConfig({ DATABASE_URL: database.url, TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', TRIGGERS_WEBHOOK_TIMEOUT_SECONDS: '1' });
    dataDir = config.dataDir;
    redis = createRedisFactory(TEST_REDIS_URL);
    ({ app, services, triggers } = buildTestApp(config, database, redis.create('client')));
    org = await newOrg(services, 'Hooks Org');
    const rival = await newOrg(services, 'Rival Hooks Org');
    await services.organisations.createUser(org.orgId, { email: 'owner@hooks.example', role: 'owner', password: PASSWORD });
    await services.organisations.createUser(org.orgId, { email: 'marketer@hooks.example', role: 'marketer', password: PASSWORD });
    await services.organisations.createUser(rival.orgId, { email: 'owner@rival-hooks.example', role: 'owner', password: PASSWORD });
    owner = await signIn('owner@hooks.example');
    marketer = await signIn('marketer@hooks.example');
    rivalOwner = await signIn('owner@rival-hooks.example');
    token = csrfFrom((await owner.get('/admin/webhooks').expect(200)).text);
  });

  after(async () => {
    await triggers.close();
    await crm.close();
    await redis.closeAll();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends signed-out visitors to the login page and refuses other roles (403)', async () => {
    const res = await request(app).get('/admin/webhooks').expect(303);
    assert.equal(res.headers.location, `/login?next=${encodeURIComponent('/admin/webhooks')}`);
    const page = await marketer.get('/admin/webhooks').expect(403);
    assert.match(page.text, /needs the owner role/);
    const csrf = csrfFrom((await marketer.get('/admin').expect(200)).text);
    await marketer.post('/admin/webhooks').type('form').send(form({ _csrf: csrf, url: crm.url })).expect(403);
    assert.equal((await triggers.webhooks.service.list(org.orgId)).length, 0);
  });

  it('refuses a form without the CSRF token', async () => {
    await owner.post('/admin/webhooks').type('form').send(form({ url: crm.url })).set('Accept', 'text/html').expect(403);
    assert.equal((await triggers.webhooks.service.list(org.orgId)).length, 0);
  });

  it('refuses an SSRF-forbidden URL with the message next to the URL field, keeping the input', async () => {
    const fields = { _csrf: token, url: 'http://169.254.169.254/latest/meta-data', description: 'Metadata?', eventTypes: ['presence.entered', 'visit.first'] };
    const res = await owner.post('/admin/webhooks').type('form').send(form(fields)).expect(400);
    assert.match(res.text, /<p class="ops-field-error" id="url-error">169\.254\.169\.254 is the cloud metadata address; webhooks only call public addresses<\/p>/);
    assert.match(res.text, /id="url" name="url" value="http:\/\/169\.254\.169\.254\/latest\/meta-data"/);
    assert.match(res.text, /aria-describedby="url-hint url-error" aria-invalid="true"/);
    assert.match(res.text, /value="Metadata\?"/);
    assert.match(res.text, /value="presence\.entered" checked/);
    assert.match(res.text, /value="visit\.first" checked/);
    assert.doesNotMatch(res.text, /value="presence\.left" checked/);

    const bad = await owner.post('/admin/webhooks').type('form').send(form({ _csrf: token, url: 'crm.example.com/hook' })).expect(400);
    assert.match(bad.text, /id="url-error">expected an absolute URL/);
    assert.equal((await triggers.webhooks.service.list(org.orgId)).length, 0);
  });

  it('creates an endpoint, shows its secret once with the verification guide, and lists it', async () => {
    const created = await createEndpoint({ description: 'Our CRM', eventTypes: ['presence.entered', 'trigger.fired'] });
    assert.match(created.html, /Copy it now: it will not be shown again/);
    assert.match(created.html, /webhook-signature/);
    assert.match(created.html, /docs\/triggers\.md/);
    const [stored] = await triggers.webhooks.service.list(org.orgId);
    assert.equal(stored?.id, created.id);
    assert.deepEqual(stored.eventTypes, ['presence.entered', 'trigger.fired']);
    assert.equal(stored.description, 'Our CRM');

    const list = await owner.get('/admin/webhooks').expect(200);
    assert.match(list.text, new RegExp(`href="/admin/webhooks/${created.id}">${crm.url.replace(/[.]/g, '\\.')}</a>`));
    assert.match(list.text, /Entered the venue, Every rule firing \(trigger\.fired\)/);
    assert.match(list.text, /Nothing sent yet/);
    const show = await owner.get(`/admin/webhooks/${created.id}`).expect(200);
    assert.deepEqual([...secretsIn(list.text), ...secretsIn(show.text)], [], 'the secret is never shown again');
  });

  it('sends a signed test delivery through the real sender and shows the outcome', async () => {
    const { id, secret } = await createEndpoint();
    crm.setSecrets([secret]);
    const before = crm.received.length;
    const res = await owner.post(`/admin/webhooks/${id}/test`).type('form').send(form({ _csrf: token })).expect(200);
    const received = crm.received.slice(before);
    assert.equal(received.length, 1);
    assert.ok(received[0]?.verified, `the receiver verified the signature: ${received[0]?.error ?? ''}`);
    assert.equal((JSON.parse(received[0].body) as { type: string }).type, 'webhook.test');
    assert.match(res.text, /Delivered: the receiver answered 2xx\./);
    assert.match(res.text, /<dt>Status code<\/dt><dd>HTTP 200<\/dd>/);
    assert.match(res.text, /<dt>Duration<\/dt><dd>\d+ ms<\/dd>/);
    assert.match(res.text, /<pre class="ops-pre">\{&quot;ok&quot;:true\}<\/pre>/, 'the first bytes of the answer');
    assert.match(res.text, new RegExp(`<code>${received[0].id}</code>`));
    assert.equal(res.headers['cache-control'], 'no-store');

    crm.script({ statuses: [503] });
    const failed = await owner.post(`/admin/webhooks/${id}/test`).type('form').send(form({ _csrf: token })).expect(200);
    assert.match(failed.text, /Not delivered: a real delivery would be retried\./);
    assert.match(failed.text, /HTTP 503/);
    assert.match(failed.text, /\{&quot;ok&quot;:false\}/);
    const [endpoint] = (await triggers.webhooks.service.list(org.orgId)).filter((e) => e.id === id);
    assert.equal(endpoint?.failingSince, null, 'a test does not count against the endpoint health');
  });

  it('edits an endpoint, with problems shown next to the fields and the input kept', async () => {
    const { id } = await createEndpoint({ description: 'Before' });
    const page = await owner.post(`/admin/webhooks/${id}`).type('form').send(form({ _csrf: token, url: 'ftp://crm.example.com', description: 'After' })).expect(400);
    assert.match(page.text, /id="url-error">must start with https:\/\//);
    assert.match(page.text, /value="ftp:\/\/crm\.example\.com"/);
    assert.match(page.text, /value="After"/);
    assert.equal((await triggers.webhooks.service.get(org.orgId, id)).description, 'Before');

    const saved = await owner.post(`/admin/webhooks/${id}`).type('form').send(form({ _csrf: token, url: crm.url, description: 'After', eventTypes: 'portal.login' })).expect(303);
    assert.equal(saved.headers.location, `/admin/webhooks/${id}?done=saved`);
    const stored = await triggers.webhooks.service.get(org.orgId, id);
    assert.equal(stored.description, 'After');
    assert.deepEqual(stored.eventTypes, ['portal.login']);
  });

  it('disables and enables an endpoint, saying why it is disabled', async () => {
    const { id } = await createEndpoint();
    await owner.post(`/admin/webhooks/${id}/disable`).type('form').send(form({ _csrf: token })).expect(303);
    assert.equal((await triggers.webhooks.service.get(org.orgId, id)).enabled, false);
    const page = await owner.get(`/admin/webhooks/${id}?done=disabled`).expect(200);
    assert.match(page.text, /Disabled: disabled by hand/);
    assert.match(page.text, /Enable endpoint/);
    await owner.post(`/admin/webhooks/${id}/enable`).type('form').send(form({ _csrf: token })).expect(303);
    assert.equal((await triggers.webhooks.service.get(org.orgId, id)).enabled, true);
  });

  it('rotates the secret: the new one is shown once and both sign during the overlap', async () => {
    const { id, secret: old } = await createEndpoint();
    const res = await owner.post(`/admin/webhooks/${id}/rotate`).type('form').send(form({ _csrf: token, overlapHours: '24' })).expect(200);
    const [fresh] = secretsIn(res.text);
    assert.ok(fresh && fresh !== old);
    assert.match(res.text, /Copy it now: it will not be shown again/);
    assert.match(res.text, /The previous secret keeps signing until/);
    assert.equal((await triggers.webhooks.service.get(org.orgId, id)).secretCount, 2);
    for (const secret of [old, fresh]) {
      crm.setSecrets([secret]);
      const sent = await owner.post(`/admin/webhooks/${id}/test`).type('form').send(form({ _csrf: token })).expect(200);
      assert.match(sent.text, /Delivered: the receiver answered 2xx\./, 'a receiver holding either secret verifies');
    }
    assert.deepEqual(secretsIn((await owner.get(`/admin/webhooks/${id}`).expect(200)).text), []);
  });

  it('shows the last delivery result and the failing state in the list', async () => {
    const { id } = await createEndpoint({ description: 'Flaky CRM' });
    const db = database.pool;
    const decisionId = newId();
    await db.query(
      `INSERT INTO trigger_decisions (id, org_id, rule_id, rule_version, event_id, event_type, outcome, trace, occurred_at, decided_at)
       VALUES ($1, $2, $3, 1, $4, 'presence.entered', 'fired', '[]', now(), now())`,
      [decisionId, org.orgId, newId(), newId()],
    );
    await db.query(
      `INSERT INTO trigger_deliveries (id, org_id, decision_id, rule_id, channel, endpoint_id, status, payload, attempts, attempt_log, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'webhook', $5, 'pending', '{}', 1, $6, now(), now())`,
      [newId(), org.orgId, decisionId, newId(), id, JSON.stringify([{ at: new Date().toISOString(), outcome: 'retry', statusCode: 503, error: 'HTTP 503', durationMs: 42 }])],
    );
    await db.query("UPDATE webhook_endpoints SET failing_since = '2026-01-02T03:04:05Z' WHERE id = $1", [id]);
    const list = await owner.get('/admin/webhooks').expect(200);
    const row = list.text.split('class="endpoint-row"').find((r) => r.includes(`/admin/webhooks/${id}"`));
    assert.ok(row);
    assert.match(row, /retry, HTTP 503, 42 ms/);
    assert.match(row, /2026-01-02 03:04:05 UTC/);
  });

  it("keeps organisations apart: another org's endpoint is not found, tested or deleted", async () => {
    const { id } = await createEndpoint();
    const rivalToken = csrfFrom((await rivalOwner.get('/admin/webhooks').expect(200)).text);
    await rivalOwner.get(`/admin/webhooks/${id}`).set('Accept', 'text/html').expect(404);
    const before = crm.received.length;
    for (const action of ['test', 'disable', 'rotate', 'delete']) {
      await rivalOwner.post(`/admin/webhooks/${id}/${action}`).type('form').send(form({ _csrf: rivalToken })).set('Accept', 'text/html').expect(404);
    }
    await rivalOwner.post(`/admin/webhooks/${id}`).type('form').send(form({ _csrf: rivalToken, url: crm.url })).set('Accept', 'text/html').expect(404);
    assert.equal(crm.received.length, before, 'nothing was sent');
    const stored = await triggers.webhooks.service.get(org.orgId, id);
    assert.equal(stored.enabled, true);
    assert.equal(stored.secretCount, 1);
    assert.doesNotMatch((await rivalOwner.get('/admin/webhooks').expect(200)).text, new RegExp(id));
  });

  it('deletes an endpoint after a confirmation page', async () => {
    const { id } = await createEndpoint();
    const confirm = await owner.get(`/admin/webhooks/${id}/delete`).expect(200);
    assert.match(confirm.text, new RegExp(`action="/admin/webhooks/${id}/delete"`));
    const done = await owner.post(`/admin/webhooks/${id}/delete`).type('form').send(form({ _csrf: token })).expect(303);
    assert.equal(done.headers.location, '/admin/webhooks?done=deleted');
    assert.match((await owner.get('/admin/webhooks?done=deleted').expect(200)).text, /The endpoint was deleted\./);
    await owner.get(`/admin/webhooks/${id}`).set('Accept', 'text/html').expect(404);
  });
});
