/**
 * Bad input over HTTP (issue #7), through supertest against the real app on a real PostgreSQL and Redis:
 * random bodies, content types and encodings for ingest; random landing parameters for every gateway
 * kind; random JSON for the API's create/update bodies; random forms with bad signatures for Twilio.
 * A refusal is always a 4xx with a registry code (never a 5xx or a stack), and a refused request
 * leaves every table as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import supertest from 'supertest';
import { ERRORS } from '../../src/shared/errors.js';
import { signedForm } from '../fakes/twilio.server.js';
import { bearer } from '../helpers/factories.js';
import { createPortalTestContext, omadaLanding, type PortalTestContext } from '../helpers/portal.js';
import { configureFuzzSeed } from './support/fuzz-seed.js';

configureFuzzSeed();

const RUNS = 100;
const PUBLIC_URL = 'https://wifi.example.com';
const STACK = /\n\s+at .+:\d+:\d+/;

/** Row counts of every table: what "nothing was stored" is checked against. */
async function rowCounts(ctx: PortalTestContext): Promise<Record<string, number>> {
  const { rows: tables } = await ctx.database.pool.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  const sql = tables.map((t) => `SELECT '${t.name}' AS name, count(*)::int AS n FROM "${t.name}"`).join(' UNION ALL ');
  const { rows } = await ctx.database.pool.query<{ name: string; n: number }>(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

/** A refusal the client can act on: a registry code with its own status, no internals. */
function assertClearRefusal(res: supertest.Response, what: string): string {
  assert.ok(res.status >= 400 && res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
  assert.doesNotMatch(res.text, STACK, `${what}: a stack trace in the answer`);
  const body = res.body as { error?: { code?: string } };
  const code = body.error?.code ?? '';
  assert.ok(code in ERRORS, `${what}: code ${code} is not in the registry (${res.text.slice(0, 200)})`);
  assert.equal(ERRORS[code as keyof typeof ERRORS].status, res.status, `${what}: ${code} answered with ${res.status}`);
  return code;
}

const json = fc.jsonValue({ maxDepth: 3 });
/** Values of the wrong kind for any string field. */
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));

describe('HTTP endpoints under random input', () => {
  let ctx: PortalTestContext;
  let sensorToken: string;
  let openndsGateways: { level: 1 | 2 | 3; id: string }[];

  before(async () => {
    ctx = await createPortalTestContext({ PUBLIC_URL, ANALYTICS_INGEST_MAX_BODY_MB: '1', ANALYTICS_INGEST_MAX_INFLATED_MB: '2' });
    sensorToken = (await ctx.services.sensors.create(ctx.org.orgId, { venueId: ctx.org.venueId, name: 'Door' })).token;
    openndsGateways = [];
    for (const level of [1, 2, 3] as const) {
      const { gateway } = await ctx.services.gateways.create(ctx.org.orgId, { kind: 'opennds', venueId: ctx.org.venueId, name: `FAS ${level}`, fasLevel: level });
      openndsGateways.push({ level, id: gateway.id });
    }
  });
  after(async () => ctx.close());

  /** Runs `property` over `runs` inputs and checks no table changed across all of them. */
  async function unchanged(property: fc.IAsyncProperty<never> | fc.IAsyncPropertyWithHooks<never>, runs = RUNS): Promise<void> {
    const before = await rowCounts(ctx);
    await fc.assert(property as fc.IAsyncProperty<unknown>, { numRuns: runs });
    assert.deepEqual(await rowCounts(ctx), before, 'a refused request stored something');
  }

  it(`ingest refuses random content types, encodings, broken gzip, gzip bombs and bad JSON with a 4xx, storing nothing (${RUNS} requests)`, async (t) => {
    const codes = new Map<string, number>();
    const kind = fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', 'application/json; charset=utf-16');
    const request = fc.oneof(
      fc.record({ type: kind, encoding: fc.constantFrom('', 'gzip'), body: fc.uint8Array({ maxLength: 512 }) }),
      fc.record({ type: fc.constantFrom('application/x-ndjson', 'application/json'), encoding: fc.constantFrom('gzip', 'x-gzip', 'br', 'deflate', 'gzip, gzip'), body: fc.uint8Array({ maxLength: 512 }) }),
      // Valid gzip of text that is not JSON at all, or JSON but no array: the JSON content type is all or nothing.
      fc.record({ type: fc.constant('application/json'), encoding: fc.constant('gzip'), body: fc.oneof(fc.string(), json.filter((v) => !Array.isArray(v)).map((v) => JSON.stringify(v))).map((text) => new Uint8Array(gzipSync(text === '' ? '{' : text))) }),
      // A bomb: 3 MiB of zeros inflates past the 2 MiB limit from a few kB on the wire.
      fc.record({ type: fc.constantFrom('application/x-ndjson', 'application/json'), encoding: fc.constant('gzip'), body: fc.constant(new Uint8Array(gzipSync(Buffer.alloc(3 << 20, 0x20)))) }),
    );
    let tried = 0;
    await unchanged(
      fc.asyncProperty(request, fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }) }), async ({ type, encoding, body }, key) => {
        tried += 1;
        const headers: Record<string, string> = { ...bearer(sensorToken), 'Idempotency-Key': key ?? `fuzz-${tried}` };
        if (type !== '') headers['Content-Type'] = type;
        if (encoding !== '') headers['Content-Encoding'] = encoding;
        const res = await supertest(ctx.app).post('/api/v1/ingest/probes').set(headers).serialize((data: Buffer) => data as unknown as string).send(Buffer.from(body));
        const code = assertClearRefusal(res, `ingest ${type} ${encoding}`);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }) as never,
    );
    t.diagnostic(`inputs tried: ${tried}; answers: ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  });

  it(`ingest stores exactly the probes it reports accepted from random NDJSON records (${RUNS} batches)`, async (t) => {
    const record = fc.oneof(json.map((v) => JSON.stringify(v)), fc.string(), fc.record({ ts: fc.oneof(fc.double(), fc.string(), fc.constant(Date.now() / 1000)), mac: fc.oneof(fc.string(), fc.constant('02:aa:bb:cc:dd:ee')), rssi: fc.oneof(fc.double(), fc.integer({ min: -120, max: 0 })) }).map((r) => JSON.stringify(r)));
    let tried = 0;
    let stored = 0;
    const probeRows = async (): Promise<number> => (await ctx.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM probes')).rows[0]?.n ?? -1;
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 20 }), async (lines) => {
        tried += 1;
        const probesBefore = await probeRows();
        const body = lines.map((l) => l.replaceAll('\n', ' ')).join('\n');
        const res = await supertest(ctx.app).post('/api/v1/ingest/probes').set({ ...bearer(sensorToken), 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': `batch-${tried}-${Date.now()}` }).send(body);
        assert.equal(res.status, 202, res.text.slice(0, 300));
        const outcome = res.body as { accepted: number; rejected: number };
        assert.equal(outcome.accepted + outcome.rejected, lines.filter((l) => l.replaceAll('\n', ' ').trim() !== '').length);
        const added = (await probeRows()) - probesBefore;
        assert.equal(added, outcome.accepted, 'stored rows match the accepted count');
        stored += added;
      }),
      { numRuns: RUNS },
    );
    t.diagnostic(`inputs tried: ${tried}; probes accepted and stored: ${stored}`);
  });

  it(`API create and update bodies refuse random JSON with a 4xx and store nothing (${RUNS} requests per route)`, async (t) => {
    // `partial`: every field is optional (an update), so `{}` or a well-typed value is a valid no-op or change, not a refusal.
    const routes: { method: 'post' | 'put' | 'patch'; path: string; valid: Record<string, unknown>; partial?: true }[] = [
      { method: 'post', path: '/api/v1/venues', valid: { name: 'Venue', timezone: 'Europe/London' } },
      { method: 'patch', path: `/api/v1/venues/${ctx.org.venueId}`, valid: { name: 'Venue', timezone: 'Europe/London' }, partial: true },
      { method: 'post', path: `/api/v1/venues/${ctx.org.venueId}/zones`, valid: { name: 'Zone' } },
      { method: 'post', path: '/api/v1/gateways', valid: { kind: 'opennds', venueId: ctx.org.venueId, name: 'AP' } },
      { method: 'post', path: '/api/v1/sensors', valid: { venueId: ctx.org.venueId, name: 'S' } },
      { method: 'post', path: '/api/v1/rules', valid: { name: 'Rule', event: 'visit.started', action: { kind: 'webhook' } } },
      { method: 'post', path: '/api/v1/webhook-endpoints', valid: { url: 'https://crm.example.com/hook', description: 'd' } },
      { method: 'post', path: '/api/v1/events', valid: { type: 'visit.started', venueId: ctx.org.venueId } },
      { method: 'post', path: '/api/v1/sms-suppressions', valid: { phone: '+447400123456' } },
      { method: 'put', path: `/api/v1/venues/${ctx.org.venueId}/analytics-settings`, valid: { visitorRssi: -70 }, partial: true },
    ];
    const body = fc.oneof(
      json,
      // The valid shape with one field of the wrong kind, or with a field it does not know.
      fc.tuple(fc.nat(), notAString).map(([i, value]) => ({ kind: 'wrong-type', i, value })),
      fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), json).map(([key, value]) => ({ kind: 'extra', key, value })),
    );
    const counts: Record<string, number> = {};
    await unchanged(
      fc.asyncProperty(fc.constantFrom(...routes), body, async (route, generated) => {
        let payload: unknown = generated;
        if (typeof generated === 'object' && generated !== null && 'kind' in generated && (generated.kind === 'wrong-type' || generated.kind === 'extra')) {
          const g = generated as { kind: string; i?: number; value: unknown; key?: string };
          const keys = Object.keys(route.valid);
          payload = g.kind === 'wrong-type' ? { ...route.valid, [keys[(g.i ?? 0) % keys.length] ?? 'name']: g.value } : { ...route.valid, [`x_${g.key ?? ''}`]: g.value };
        }
        counts[route.path] = (counts[route.path] ?? 0) + 1;
        const res = await supertest(ctx.app)[route.method](route.path).set(bearer(ctx.org.apiKey)).set('Content-Type', 'application/json').send(JSON.stringify(payload));
        if (route.partial && res.status === 200) return;
        assertClearRefusal(res, `${route.method.toUpperCase()} ${route.path} ${JSON.stringify(payload).slice(0, 200)}`);
      }) as never,
      RUNS * 4,
    );
    t.diagnostic(`inputs tried: ${Object.values(counts).reduce((a, b) => a + b, 0)} over ${routes.length} routes`);
  });

  it(`Twilio callbacks refuse random forms without a valid signature with 403 and change nothing (${RUNS} requests)`, async (t) => {
    let tried = 0;
    const form = fc.dictionary(fc.constantFrom('From', 'To', 'Body', 'MessageSid', 'MessageStatus', 'ErrorCode', 'OptOutType', 'AccountSid', 'x'), fc.string({ maxLength: 40 }), { maxKeys: 6 });
    const signature = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 40 }), fc.base64String({ minLength: 28, maxLength: 28 }));
    await unchanged(
      fc.asyncProperty(fc.constantFrom('inbound', 'status'), form, signature, fc.boolean(), async (hook, params, sig, wrongKey) => {
        tried += 1;
        const url = `${PUBLIC_URL}/webhooks/twilio/${hook}`;
        // Either a signature made with another auth token, or an arbitrary/missing header.
        const signed = wrongKey ? signedForm('not-the-auth-token', url, params) : { headers: sig === undefined ? {} : { 'X-Twilio-Signature': sig }, body: new URLSearchParams(params).toString() };
        const res = await supertest(ctx.app).post(`/webhooks/twilio/${hook}`).type('form').set(signed.headers).send(signed.body);
        assert.equal(res.status, 403, res.text.slice(0, 200));
        assert.doesNotMatch(res.text, STACK);
      }) as never,
    );
    t.diagnostic(`inputs tried: ${tried}`);
  });

  it(`portal landings of openNDS (FAS 1-3) and Omada answer random parameters with a page, never a 5xx or a stack (${RUNS} landings)`, async (t) => {
    const statuses = new Map<number, number>();
    const kv = fc.array(fc.tuple(fc.constantFrom('hid', 'clientip', 'clientmac', 'gatewayname', 'gatewayaddress', 'originurl', 'authdir', 'x'), fc.string({ maxLength: 40 })), { maxLength: 8 });
    const opennds = fc.record({
      gateway: fc.nat({ max: 2 }),
      fas: fc.oneof(fc.string({ maxLength: 80 }), kv.map((pairs) => Buffer.from(pairs.map(([k, v]) => `${k}=${v}`).join(', ')).toString('base64'))),
      iv: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: fc.nat({ max: 15 }).map((n) => n.toString(16)), minLength: 16, maxLength: 16 }))),
    });
    const omada = fc.tuple(fc.constantFrom('clientMac', 'apMac', 'gatewayMac', 'ssidName', 'radioId', 'site', 't', 'redirectUrl', 'vid'), fc.oneof(fc.string({ maxLength: 60 }), fc.constant(''))).map(([k, v]) => ({ [k]: v }));
    await unchanged(
      fc.asyncProperty(fc.oneof(opennds, fc.array(omada, { maxLength: 3 })), async (landing) => {
        const res = Array.isArray(landing)
          ? await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(Object.assign(omadaLanding('zz'), ...landing) as Record<string, string>)
          : await supertest(ctx.app).get(`/portal/opennds/${openndsGateways[landing.gateway]?.id ?? ''}`).query({ fas: landing.fas, ...(landing.iv === null ? {} : { iv: landing.iv }) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${JSON.stringify(landing).slice(0, 300)}`);
        assert.doesNotMatch(res.text, STACK);
      }) as never,
    );
    t.diagnostic(`answers: ${[...statuses].map(([s, n]) => `${s} x${n}`).join(', ')}`);
  });
});
