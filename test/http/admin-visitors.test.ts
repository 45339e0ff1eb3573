import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { newId } from '../../src/shared/ids.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { csrfFrom, signedInAgent } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';
type Agent = ReturnType<typeof request.agent>;

const countOf = (html: string, marker: string): number => html.split(marker).length - 1;

describe('admin visitors pages', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let rival: TestOrg;
  let owner: Agent;
  let marketer: Agent;
  let analyst: Agent;
  let rivalOwner: Agent;
  let phoneSeq = 100;
  const nextPhone = () => `+4474002${String(phoneSeq++).padStart(5, '0')}`;

  const signIn = (email: string): Promise<Agent> => signedInAgent(ctx.app, email, PASSWORD);

  /** A visitor with a consent history (given at the portal, withdrawn through the CRM), a login and one SMS delivery. */
  async function seedVisitor(o: TestOrg, phone = nextPhone()): Promise<{ id: string; phone: string }> {
    const db = ctx.database.pool;
    const visitors = new VisitorRepository(db);
    const visitor = await visitors.upsert({ id: newId(), orgId: o.orgId, phone }, new Date());
    const portal = { venueId: o.venueId, gatewayId: null, method: 'portal_form' as const, textVersion: 'portal-v1' };
    await visitors.recordConsents(
      o.orgId,
      visitor.id,
      [
        { id: newId(), purpose: 'terms', granted: true, ...portal },
        { id: newId(), purpose: 'sms_marketing', granted: true, ...portal },
      ],
      new Date(Date.now() - 120_000),
    );
    await ctx.triggers.sms.visitors.changeConsent(o.orgId, visitor.id, { purpose: 'sms_marketing', granted: false, textVersion: 'crm-v7' });
    await db.query(
      `INSERT INTO portal_logins (id, org_id, phone, device_hash, venue_id, gateway_id, method, consents, logged_in_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'sms_code', '{"terms":true}', now())`,
      [newId(), o.orgId, phone, 'd'.repeat(64), o.venueId, newId()],
    );
    const decisionId = newId();
    await db.query(
      `INSERT INTO trigger_decisions (id, org_id, rule_id, rule_version, event_id, event_type, visitor_id, outcome, trace, occurred_at, decided_at)
       VALUES ($1, $2, $3, 1, $4, 'presence.entered', $5, 'fired', '[]', now(), now())`,
      [decisionId, o.orgId, newId(), newId(), visitor.id],
    );
    await db.query(
      `INSERT INTO trigger_deliveries (id, org_id, decision_id, rule_id, visitor_id, channel, status, payload, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'sms', 'delivered', '{"body":"Hi, 10% off today"}', now(), now())`,
      [newId(), o.orgId, decisionId, newId(), visitor.id],
    );
    return { id: visitor.id, phone };
  }

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Visitors Org');
    rival = await newOrg(ctx.services, 'Rival Org');
    const users = ctx.services.organisations;
    await users.createUser(org.orgId, { email: 'owner@visitors.example', role: 'owner', password: PASSWORD });
    await users.createUser(org.orgId, { email: 'marketer@visitors.example', role: 'marketer', password: PASSWORD });
    await users.createUser(org.orgId, { email: 'analyst@visitors.example', role: 'analyst', password: PASSWORD });
    await users.createUser(rival.orgId, { email: 'owner@rival.example', role: 'owner', password: PASSWORD });
    owner = await signIn('owner@visitors.example');
    marketer = await signIn('marketer@visitors.example');
    analyst = await signIn('analyst@visitors.example');
    rivalOwner = await signIn('owner@rival.example');
  });
  after(() => ctx.close());

  it('shows a labelled lookup form and sends a known number to the visitor page', async () => {
    const form = await owner.get('/admin/visitors').expect(200);
    assert.match(form.text, /<label for="phone">Phone number<\/label>/);
    const visitor = await seedVisitor(org);
    const res = await owner.get('/admin/visitors').query({ phone: visitor.phone }).expect(303);
    assert.equal(res.headers.location, `/admin/visitors/${visitor.id}`);
  });

  it('says "no visitor with this number" next to the field for an unknown number', async () => {
    const res = await marketer.get('/admin/visitors').query({ phone: nextPhone() }).expect(404);
    assert.match(res.text, /<p class="av-field-error" id="phone-error">No visitor with this number\.<\/p>/);
    assert.match(res.text, /aria-invalid="true"/);
  });

  it('shows the validation message next to the field for an invalid number', async () => {
    const res = await owner.get('/admin/visitors').query({ phone: '12-not-a-phone' }).expect(400);
    assert.match(res.text, /id="phone-error"/);
    assert.doesNotMatch(res.text, /No visitor with this number/);
    assert.match(res.text, /value="12-not-a-phone"/);
  });

  it('shows the consent state, the full consent history, logins, visits and messages sent', async () => {
    const visitor = await seedVisitor(org);
    const res = await marketer.get(`/admin/visitors/${visitor.id}`).expect(200);
    assert.equal(countOf(res.text, 'class="consent-row"'), 3, 'terms, SMS granted, SMS withdrawn');
    assert.match(res.text, /portal-v1/);
    assert.match(res.text, /<td>crm-v7<\/td>/);
    assert.match(res.text, /<td>api<\/td>/);
    assert.match(res.text, /Visitors Org venue/);
    assert.match(res.text, /<dt>SMS marketing<\/dt><dd><span class="av-no">Not granted/);
    assert.match(res.text, /<td>sms_code<\/td>/);
    assert.equal(countOf(res.text, 'class="delivery-row"'), 1);
    assert.match(res.text, /<td>sms<\/td><td>delivered<\/td>/);
    assert.doesNotMatch(res.text, /10% off/, 'message bodies are not shown');
  });

  it('downloads the export as a JSON attachment naming the visitor', async () => {
    const visitor = await seedVisitor(org);
    const res = await owner.get(`/admin/visitors/${visitor.id}/export`).expect(200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.match(String(res.headers['content-disposition']), new RegExp(`^attachment; filename="?visitor-${visitor.id}\\.json"?$`));
    const body = JSON.parse(res.text) as { visitor: { id: string }; consents: unknown[] };
    assert.equal(body.visitor.id, visitor.id);
    assert.equal(body.consents.length, 3);
  });

  it('erases only on a POST with the CSRF token, then the visitor page is gone', async () => {
    const visitor = await seedVisitor(org);
    const confirm = await owner.get(`/admin/visitors/${visitor.id}/erase`).expect(200);
    assert.match(confirm.text, new RegExp(`action="/admin/visitors/${visitor.id}/erase"`));
    await owner.post(`/admin/visitors/${visitor.id}/erase`).type('form').send({}).set('Accept', 'text/html').expect(403);
    await owner.get(`/admin/visitors/${visitor.id}`).expect(200);

    const erased = await owner.post(`/admin/visitors/${visitor.id}/erase`).type('form').send({ _csrf: csrfFrom(confirm.text) }).expect(303);
    assert.equal(erased.headers.location, '/admin/visitors?erased=1');
    const notice = await owner.get('/admin/visitors?erased=1').expect(200);
    assert.match(notice.text, /The visitor was erased/);
    await owner.get(`/admin/visitors/${visitor.id}`).set('Accept', 'text/html').expect(404);
    await owner.get('/admin/visitors').query({ phone: visitor.phone }).expect(404);
  });

  it('refuses analysts (403) on every visitors and suppressions page', async () => {
    const visitor = await seedVisitor(org);
    for (const path of ['/admin/visitors', `/admin/visitors/${visitor.id}`, `/admin/visitors/${visitor.id}/export`, `/admin/visitors/${visitor.id}/erase`, '/admin/suppressions']) {
      const res = await analyst.get(path).expect(403);
      assert.match(res.text, /owner or marketer/, path);
    }
    const token = csrfFrom((await analyst.get('/admin').expect(200)).text);
    await analyst.post(`/admin/visitors/${visitor.id}/erase`).type('form').send({ _csrf: token }).expect(403);
    await owner.get(`/admin/visitors/${visitor.id}`).expect(200);
  });

  it("keeps organisations apart: another org's visitor is not found and cannot be erased", async () => {
    const visitor = await seedVisitor(org);
    await rivalOwner.get(`/admin/visitors/${visitor.id}`).set('Accept', 'text/html').expect(404);
    await rivalOwner.get(`/admin/visitors/${visitor.id}/export`).set('Accept', 'text/html').expect(404);
    await rivalOwner.get('/admin/visitors').query({ phone: visitor.phone }).expect(404);
    const token = csrfFrom((await rivalOwner.get('/admin/visitors').expect(200)).text);
    await rivalOwner.post(`/admin/visitors/${visitor.id}/erase`).type('form').send({ _csrf: token }).set('Accept', 'text/html').expect(404);
    await owner.get(`/admin/visitors/${visitor.id}`).expect(200);
  });

  it('adds and removes a number on the suppression list, with messages next to the field', async () => {
    const visitor = await seedVisitor(org);
    const page = await marketer.get('/admin/suppressions').expect(200);
    const token = csrfFrom(page.text);
    assert.match(page.text, /<label for="add-phone">/);

    const invalid = await marketer.post('/admin/suppressions').type('form').send({ _csrf: token, phone: 'nope' }).expect(400);
    assert.match(invalid.text, /id="add-phone-error"/);

    const added = await marketer.post('/admin/suppressions').type('form').send({ _csrf: token, phone: visitor.phone }).expect(303);
    assert.equal(added.headers.location, '/admin/suppressions?done=added');
    assert.match((await marketer.get(`/admin/visitors/${visitor.id}`).expect(200)).text, /Suppressed: no SMS will be sent/);
    assert.match((await rivalOwner.get('/admin/suppressions').expect(200)).text, /SMS suppressions/);

    const removed = await marketer.post('/admin/suppressions/remove').type('form').send({ _csrf: token, phone: visitor.phone }).expect(303);
    assert.equal(removed.headers.location, '/admin/suppressions?done=removed');
    assert.match((await marketer.get(`/admin/visitors/${visitor.id}`).expect(200)).text, /Not suppressed/);

    const again = await marketer.post('/admin/suppressions/remove').type('form').send({ _csrf: token, phone: visitor.phone }).expect(404);
    assert.match(again.text, /id="remove-phone-error"/);
  });
});
