import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { newId } from '../../src/shared/ids.js';
import { createPhoneHasher } from '../../src/triggers/phone-hash.js';
import type { VisitorView } from '../../src/triggers/visitors/visitor.service.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';

const hashPhone = createPhoneHasher(TEST_SECRET_KEY);
const deviceOf = (phone: string): string => createHash('sha256').update(`device:${phone}`).digest('hex');

interface ErrorJson {
  error: { code: string; details?: { fields?: { path: string }[] } };
}

describe('visitors API', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let rival: TestOrg;
  let phoneSeq = 200;
  const nextPhone = () => `+4474001${String(phoneSeq++).padStart(5, '0')}`;
  const as = (o: TestOrg) => ({
    get: (path: string) => supertest(ctx.app).get(`/api/v1${path}`).set(bearer(o.apiKey)),
    post: (path: string, body: object) => supertest(ctx.app).post(`/api/v1${path}`).set(bearer(o.apiKey)).send(body),
    patch: (path: string, body: object) => supertest(ctx.app).patch(`/api/v1${path}`).set(bearer(o.apiKey)).send(body),
    delete: (path: string) => supertest(ctx.app).delete(`/api/v1${path}`).set(bearer(o.apiKey)),
  });
  const db = () => ctx.database.pool;

  /** A visitor as the portal leaves one: consents, a device binding, a login, visit statistics. */
  async function seedVisitor(o: TestOrg, phone: string, smsMarketing = true): Promise<string> {
    const visitors = new VisitorRepository(db());
    const visitor = await visitors.upsert({ id: newId(), orgId: o.orgId, phone }, new Date());
    const base = { textVersion: 'v1', venueId: o.venueId, gatewayId: null, method: 'portal_form' as const };
    await visitors.recordConsents(
      o.orgId,
      visitor.id,
      [
        { id: newId(), purpose: 'terms', granted: true, ...base },
        { id: newId(), purpose: 'sms_marketing', granted: smsMarketing, ...base },
      ],
      new Date(Date.now() - 60_000),
    );
    await visitors.bind({ orgId: o.orgId, deviceHash: deviceOf(phone), visitorId: visitor.id, randomised: false }, new Date());
    await db().query(
      `INSERT INTO portal_logins (id, org_id, phone, device_hash, venue_id, gateway_id, method, consents, logged_in_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'sms_code', '{"terms":true}', now())`,
      [newId(), o.orgId, phone, deviceOf(phone), o.venueId, newId()],
    );
    await db().query(
      `INSERT INTO visitor_visit_stats (visitor_id, org_id, venue_id, visits, first_visit_at, last_visit_at, last_visit_key)
       VALUES ($1, $2, $3, 3, '2024-01-01T10:00:00Z', '2024-03-01T10:00:00Z', 'k')`,
      [visitor.id, o.orgId, o.venueId],
    );
    return visitor.id;
  }

  /** A fired decision with one SMS delivery holding the rendered text. */
  async function seedDelivery(o: TestOrg, visitorId: string): Promise<{ decisionId: string; deliveryId: string }> {
    const decisionId = newId();
    const deliveryId = newId();
    await db().query(
      `INSERT INTO trigger_decisions (id, org_id, rule_id, rule_version, event_id, event_type, visitor_id, outcome, trace, occurred_at, decided_at)
       VALUES ($1, $2, $3, 1, $4, 'presence.entered', $5, 'fired', '[]', now(), now())`,
      [decisionId, o.orgId, newId(), newId(), visitorId],
    );
    await db().query(
      `INSERT INTO trigger_deliveries (id, org_id, decision_id, rule_id, visitor_id, channel, status, payload, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'sms', 'delivered', '{"body":"Hi Ann, 10% off today"}', now(), now())`,
      [deliveryId, o.orgId, decisionId, newId(), visitorId],
    );
    return { decisionId, deliveryId };
  }

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services);
    rival = await newOrg(ctx.services);
  });
  after(async () => ctx.close());

  it('finds a visitor by phone (any common notation) and shows consent, attributes, suppression and visits', async () => {
    const phone = nextPhone();
    const id = await seedVisitor(org, phone);
    const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
    const found = await as(org).get('/visitors').query({ phone: spaced });
    assert.equal(found.status, 200);
    const { visitor } = found.body as { visitor: VisitorView };
    assert.equal(visitor.id, id);
    assert.deepEqual(visitor.consent, { terms: true, sms_marketing: true, crm_sharing: false });
    assert.deepEqual([visitor.phone, visitor.loyaltyMember, visitor.smsSuppressed], [phone, false, false]);
    assert.deepEqual(visitor.attributes, {});
    assert.deepEqual(visitor.visits, [{ venueId: org.venueId, visits: 3, firstVisitAt: '2024-01-01T10:00:00.000Z', lastVisitAt: '2024-03-01T10:00:00.000Z' }]);

    const byId = await as(org).get(`/visitors/${id}`);
    assert.deepEqual(byId.body, visitor);
    assert.equal((await as(org).get('/visitors').query({ phone: nextPhone() })).status, 404);
    const bad = await as(org).get('/visitors').query({ phone: '12' });
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.body as ErrorJson).error.details?.fields?.map((f) => f.path), ['phone']);
    assert.equal((await as(org).get('/visitors/not-a-uuid')).status, 404);
  });

  it('merges attributes: given keys replace, null deletes, the rest stay; limits are enforced', async () => {
    const id = await seedVisitor(org, nextPhone());
    await as(org).patch(`/visitors/${id}/attributes`, { attributes: { tier: 'gold', points: 10, vip: false } }).expect(200);
    const merged = await as(org).patch(`/visitors/${id}/attributes`, { loyaltyMember: true, attributes: { points: null, vip: true, city: 'Leeds' } });
    assert.equal(merged.status, 200);
    const view = merged.body as VisitorView;
    assert.deepEqual(view.attributes, { tier: 'gold', vip: true, city: 'Leeds' });
    assert.equal(view.loyaltyMember, true);
    const again = (await as(org).patch(`/visitors/${id}/attributes`, {}).expect(200)).body as VisitorView;
    assert.equal(again.loyaltyMember, true, 'omitted loyaltyMember keeps its value');

    const bad = [
      `{"attributes":{"note":"${'x'.repeat(501)}"}}`,
      '{"attributes":{"has space":1}}',
      '{"attributes":{"__proto__":1}}',
      '{"attributes":{"nested":{"a":1}}}',
      '{"attributes":{},"extra":true}',
      '{"loyaltyMember":"yes"}',
    ];
    for (const raw of bad) {
      const res = await supertest(ctx.app).patch(`/api/v1/visitors/${id}/attributes`).set(bearer(org.apiKey)).type('json').send(raw);
      assert.equal(res.status, 400, raw.slice(0, 60));
      assert.equal((res.body as ErrorJson).error.code, 'VALIDATION_FAILED');
    }
    const many = Object.fromEntries(Array.from({ length: 98 }, (_, i) => [`k${i}`, i]));
    const tooMany = await as(org).patch(`/visitors/${id}/attributes`, { attributes: many });
    assert.equal(tooMany.status, 400, '3 stored + 98 new is over 100');
    const unchanged = (await as(org).get(`/visitors/${id}`)).body as VisitorView;
    assert.equal(Object.keys(unchanged.attributes).length, 3);
  });

  it('records consent changes from the CRM (method api) and lists the history', async () => {
    const id = await seedVisitor(org, nextPhone(), false);
    const res = await as(org).post(`/visitors/${id}/consents`, { purpose: 'crm_sharing', granted: true, textVersion: 'crm-2024-05' });
    assert.equal(res.status, 201);
    assert.deepEqual((res.body as VisitorView).consent, { terms: true, sms_marketing: false, crm_sharing: true });
    const history = await as(org).get(`/visitors/${id}/consents`);
    const items = (history.body as { items: { purpose: string; granted: boolean; method: string; textVersion: string; venueId: string | null }[] }).items;
    // The two sign-up events share a timestamp: compare as a set, then check the API one came last.
    assert.deepEqual(items.map((e) => `${e.purpose}:${String(e.granted)}:${e.method}:${e.textVersion}`).sort(), [
      'crm_sharing:true:api:crm-2024-05',
      'sms_marketing:false:portal_form:v1',
      'terms:true:portal_form:v1',
    ]);
    assert.deepEqual([items.at(-1)?.method, items.at(-1)?.venueId], ['api', null]);
    for (const body of [{ purpose: 'terms', granted: false, textVersion: 'x' }, { purpose: 'sms_marketing', granted: 'yes', textVersion: 'x' }, { purpose: 'sms_marketing', granted: true }]) {
      assert.equal((await as(org).post(`/visitors/${id}/consents`, body)).status, 400, JSON.stringify(body));
    }
  });

  it('exports everything held about the visitor', async () => {
    const phone = nextPhone();
    const id = await seedVisitor(org, phone);
    await as(org).patch(`/visitors/${id}/attributes`, { attributes: { tier: 'silver' } }).expect(200);
    const { decisionId, deliveryId } = await seedDelivery(org, id);
    const res = await as(org).get(`/visitors/${id}/export`);
    assert.equal(res.status, 200);
    const body = res.body as Record<string, unknown> & {
      visitor: VisitorView;
      consents: unknown[];
      bindings: { deviceHash: string }[];
      logins: { deviceHash: string; method: string }[];
      attributes: { attributes: Record<string, unknown> };
      visits: unknown[];
      decisions: { id: string }[];
      deliveries: { id: string; payload: unknown }[];
    };
    assert.equal(body.visitor.phone, phone);
    assert.equal(body.consents.length, 2);
    assert.deepEqual(body.bindings.map((b) => b.deviceHash), [deviceOf(phone)]);
    assert.deepEqual(body.logins.map((l) => [l.deviceHash, l.method]), [[deviceOf(phone), 'sms_code']]);
    assert.deepEqual(body.attributes.attributes, { tier: 'silver' });
    assert.equal(body.visits.length, 1);
    assert.deepEqual(body.decisions.map((d) => d.id), [decisionId]);
    assert.deepEqual(body.deliveries.map((d) => [d.id, d.payload]), [[deliveryId, { body: 'Hi Ann, 10% off today' }]]);
  });

  it('erases a visitor: gone (404), delivery contents scrubbed, decisions kept pseudonymously, withdrawal remembered', async () => {
    const phone = nextPhone();
    const id = await seedVisitor(org, phone, true);
    const { decisionId, deliveryId } = await seedDelivery(org, id);
    await as(org).post(`/visitors/${id}/consents`, { purpose: 'sms_marketing', granted: false, textVersion: 'crm-1' }).expect(201);
    const res = await as(org).delete(`/visitors/${id}`);
    assert.equal(res.status, 204);
    assert.equal((await as(org).get(`/visitors/${id}`)).status, 404);
    assert.equal((await as(org).delete(`/visitors/${id}`)).status, 404);

    const delivery = await db().query<{ payload: unknown; visitor_id: string }>('SELECT payload, visitor_id FROM trigger_deliveries WHERE id = $1', [deliveryId]);
    assert.deepEqual(delivery.rows[0], { payload: { erased: true }, visitor_id: id });
    const decision = await db().query<{ visitor_id: string }>('SELECT visitor_id FROM trigger_decisions WHERE id = $1', [decisionId]);
    assert.equal(decision.rows[0]?.visitor_id, id);
    for (const table of ['consent_events', 'device_bindings', 'visitor_attributes', 'visitor_visit_stats']) {
      const left = await db().query(`SELECT 1 FROM ${table} WHERE visitor_id = $1`, [id]);
      assert.equal(left.rowCount, 0, table);
    }
    const logins = await db().query('SELECT 1 FROM portal_logins WHERE org_id = $1 AND phone = $2', [org.orgId, phone]);
    assert.equal(logins.rowCount, 1, 'the login log stays for its legal retention period');
    const kept = await db().query<{ reason: string }>('SELECT reason FROM sms_suppressions WHERE phone_hash = $1 AND org_id = $2', [hashPhone(phone), org.orgId]);
    assert.deepEqual(kept.rows, [{ reason: 'admin' }]);
    const anywhere = await db().query<{ t: string }>('SELECT s::text AS t FROM sms_suppressions s');
    assert.ok(anywhere.rows.every((r) => !r.t.includes(phone.slice(1))), 'the suppression holds no number');

    const again = await seedVisitor(org, phone, true);
    const view = (await as(org).get(`/visitors/${again}`).expect(200)).body as VisitorView;
    assert.equal(view.smsSuppressed, true, 'the same number signing up again is still suppressed');
  });

  it('keeps an existing suppression on erasure and creates none for a visitor who never withdrew', async () => {
    const stopped = nextPhone();
    const a = await seedVisitor(org, stopped);
    await as(org).post('/sms-suppressions', { phone: stopped }).expect(201);
    await as(org).delete(`/visitors/${a}`).expect(204);
    assert.equal((await db().query('SELECT 1 FROM sms_suppressions WHERE phone_hash = $1', [hashPhone(stopped)])).rowCount, 1);

    const happy = nextPhone();
    const b = await seedVisitor(org, happy, false);
    await as(org).delete(`/visitors/${b}`).expect(204);
    assert.equal((await db().query('SELECT 1 FROM sms_suppressions WHERE phone_hash = $1', [hashPhone(happy)])).rowCount, 0, 'declining at sign-up is not a withdrawal');
  });

  it('manages an organisation\'s own suppressions by phone', async () => {
    const phone = nextPhone();
    const id = await seedVisitor(org, phone);
    const created = await as(org).post('/sms-suppressions', { phone });
    assert.equal(created.status, 201);
    assert.deepEqual((created.body as { phone: string; reason: string }).phone, phone);
    assert.equal(((await as(org).get(`/visitors/${id}`)).body as VisitorView).smsSuppressed, true);
    assert.equal((await as(org).post('/sms-suppressions', { phone: 'call me' })).status, 400);
    assert.equal((await as(org).post('/sms-suppressions', {})).status, 400);

    assert.equal((await as(org).delete(`/sms-suppressions/${encodeURIComponent(phone)}`)).status, 204);
    assert.equal(((await as(org).get(`/visitors/${id}`)).body as VisitorView).smsSuppressed, false);
    assert.equal((await as(org).delete(`/sms-suppressions/${encodeURIComponent(phone)}`)).status, 404);
    assert.equal((await as(org).delete('/sms-suppressions/nonsense')).status, 400);
  });

  it('isolates organisations: another org\'s visitor is 404 everywhere and suppressions do not leak', async () => {
    const phone = nextPhone();
    const id = await seedVisitor(org, phone);
    const theirs = await seedVisitor(rival, phone);
    const them = as(rival);
    assert.equal((await them.get(`/visitors/${id}`)).status, 404);
    assert.equal((await them.get(`/visitors/${id}/consents`)).status, 404);
    assert.equal((await them.get(`/visitors/${id}/export`)).status, 404);
    assert.equal((await them.patch(`/visitors/${id}/attributes`, { attributes: { x: 1 } })).status, 404);
    assert.equal((await them.post(`/visitors/${id}/consents`, { purpose: 'crm_sharing', granted: true, textVersion: 'x' })).status, 404);
    assert.equal((await them.delete(`/visitors/${id}`)).status, 404);
    const lookup = (await them.get('/visitors').query({ phone }).expect(200)).body as { visitor: VisitorView };
    assert.equal(lookup.visitor.id, theirs, 'the same number is a different visitor in each organisation');

    await as(org).post('/sms-suppressions', { phone }).expect(201);
    assert.equal(((await them.get(`/visitors/${theirs}`)).body as VisitorView).smsSuppressed, false);
    assert.equal((await them.delete(`/sms-suppressions/${encodeURIComponent(phone)}`)).status, 404, 'one org cannot lift another\'s suppression');
    assert.equal(((await as(org).get(`/visitors/${id}`)).body as VisitorView).attributes.x, undefined);
    assert.equal((await as(org).get(`/visitors/${id}`)).status, 200);
  });
});
