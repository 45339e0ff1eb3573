import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import supertest from 'supertest';
import { buildOpenApiDocument, PASSBY_VERSION } from '../../src/http/openapi/index.js';
import { csrfFrom } from '../helpers/admin-forms.js';
import { apiClient, createPipelineContext, newEndpoint, newRule, newVisitor, waitFor, type ApiClient, type PipelineContext } from '../helpers/triggers.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';

/**
 * Cross-tenant access on every route: organisation A's key (or staff session)
 * aimed at organisation B's ids. Routes come from the live router, so a route
 * added later is covered without touching this file.
 */
type Json = Record<string, unknown>;
interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, unknown> };
  handle?: unknown;
}
const hasStack = (v: unknown): v is { stack: LayerLike[] } => (typeof v === 'function' || typeof v === 'object') && v !== null && Array.isArray((v as { stack?: unknown }).stack);
const joinPath = (a: string, b: string): string => `${a}/${b}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/** [method, path] of every route reachable from the router, mount paths included (Express 5 layers). */
function routesOf(router: { stack: LayerLike[] }, prefix = ''): [string, string][] {
  const found: [string, string][] = [];
  for (const layer of router.stack) {
    if (layer.route) {
      for (const path of [layer.route.path].flat() as string[]) for (const m of Object.keys(layer.route.methods)) found.push([m.toUpperCase(), joinPath(prefix, path)]);
    } else if (hasStack(layer.handle)) {
      for (const mount of [layer.rawPath ?? ''].flat() as string[]) found.push(...routesOf(layer.handle, joinPath(prefix, mount)));
    }
  }
  return found;
}

interface Victim {
  org: TestOrg;
  zoneId: string;
  gatewayId: string;
  sensorId: string;
  ruleId: string;
  endpointId: string;
  visitor: { id: string; phone: string };
  deliveryId: string;
  staffId: string;
  apiKeyId: string;
  /** On B's SMS suppression list: A removing "its" entry for the number must leave B's alone. */
  suppressedPhone: string;
  /** Text only B's data contains: names, phone, email, secrets. */
  markers: string[];
}

/** Which of B's ids a path parameter stands for, by its name and the collection it follows. */
function idFor(b: Victim, name: string, collection: string): string {
  if (name === 'venueId') return b.org.venueId;
  if (name === 'zoneId') return b.zoneId;
  if (name === 'gatewayId') return b.gatewayId;
  if (name === 'phone') return encodeURIComponent(b.suppressedPhone);
  if (name === 'kind') return 'footfall';
  const byCollection: Record<string, string> = {
    rules: b.ruleId,
    'webhook-endpoints': b.endpointId,
    webhooks: b.endpointId,
    visitors: b.visitor.id,
    deliveries: b.deliveryId,
    gateways: b.gatewayId,
    sensors: b.sensorId,
    staff: b.staffId,
    'api-keys': b.apiKeyId,
  };
  const id = byCollection[collection];
  assert.ok(id, `no B resource for :${name} after /${collection}/ (add one to the victim set)`);
  return id;
}
const fillPath = (b: Victim, path: string): string =>
  path.replace(/\/([\w-]+)\/:(\w+)(\.\w+)?/g, (_m, collection: string, name: string, ext = '') => `/${collection}/${idFor(b, name, collection)}${String(ext)}`).replace(/:(\w+)/g, (_m, name: string) => idFor(b, name, ''));

/** The OpenAPI example body for an operation, with every id-like field pointed at B's resources. */
function exampleBody(doc: Json, b: Victim, method: string, path: string): unknown {
  const op = ((doc.paths as Record<string, Json>)[path.replace(/:(\w+)/g, '{$1}').replace(/^\/api\/v1/, '')] ?? {})[method.toLowerCase()] as Json | undefined;
  const content = ((op?.requestBody as Json | undefined)?.content as Record<string, Json> | undefined)?.['application/json'];
  const ref = (content?.schema as Json | undefined)?.$ref;
  const example = content?.example ?? (typeof ref === 'string' ? ((doc.components as Json).schemas as Record<string, Json>)[ref.split('/').pop() ?? '']?.example : undefined);
  const point = (key: string, value: unknown): unknown => {
    if (Array.isArray(value)) return value.map((v) => point(key, v));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, point(k, v)]));
    if (typeof value !== 'string') return value;
    if (/^venue/i.test(key)) return b.org.venueId;
    if (/^zone/i.test(key)) return b.zoneId;
    if (/^visitor/i.test(key)) return b.visitor.id;
    if (/^endpoint/i.test(key)) return b.endpointId;
    if (/^phone$/i.test(key)) return b.visitor.phone;
    return value;
  };
  // Schemas without an example: a valid body of their own, so a 404 cannot hide behind a 400.
  const counts = [0, 900, 1800].map((offset) => ({ start: 1_700_000_000 + offset, count: 3 }));
  const fallback: Record<string, unknown> = {
    'PATCH /api/v1/venues/:venueId': { name: 'Hijacked' },
    'POST /api/v1/sensors': { venueId: b.org.venueId, zoneId: b.zoneId, name: 'Hijack' },
    'PUT /api/v1/venues/:venueId/calibration': { kind: 'footfall', intervalSeconds: 900, counts },
  };
  return point('', example ?? fallback[`${method} ${path}`] ?? {});
}

/** Everything B owns, row by row, to prove nothing changed. */
async function snapshotOf(db: pg.Pool | { query: pg.Pool['query'] }, orgId: string): Promise<string> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'org_id' AND table_name NOT LIKE 'probes_%' ORDER BY table_name",
  );
  const parts: string[] = [JSON.stringify((await db.query('SELECT * FROM organisations WHERE id = $1', [orgId])).rows)];
  for (const { table_name: table } of tables) {
    const { rows } = await db.query(`SELECT * FROM ${pg.escapeIdentifier(table)} WHERE org_id = $1`, [orgId]);
    parts.push(`${table}:${JSON.stringify(rows.map((r) => JSON.stringify(r)).sort())}`);
  }
  return parts.join('\n');
}

describe('security: no route lets one organisation reach another', () => {
  let ctx: PipelineContext;
  let b: Victim;
  let a: TestOrg;
  let bApi: ApiClient;
  let doc: Json;
  let snapshot: string;
  const tag = `ZZB${randomBytes(4).toString('hex')}`;

  /** What B's data would look like in a response, apart from ids the request itself carried. */
  const leaks = (sent: string, body: string): string[] => {
    const ids = [b.org.venueId, b.org.orgId, b.zoneId, b.gatewayId, b.sensorId, b.ruleId, b.endpointId, b.visitor.id, b.deliveryId, b.staffId, b.apiKeyId];
    return [...b.markers, ...ids].filter((m) => !sent.includes(m) && body.includes(m));
  };

  before(async () => {
    ctx = await createPipelineContext();
    bApi = ctx.api;
    const org = ctx.org;
    await ctx.database.pool.query('UPDATE organisations SET name = $2 WHERE id = $1', [org.orgId, `Org ${tag}`]);
    await ctx.database.pool.query('UPDATE venues SET name = $2 WHERE id = $1', [org.venueId, `Venue ${tag}`]);
    const zoneId = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: `Zone ${tag}` })).id;
    const gatewayId = (await ctx.services.gateways.create(org.orgId, { kind: 'opennds', venueId: org.venueId, name: `AP ${tag}` })).gateway.id;
    const sensorId = (await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, zoneId, name: `Sensor ${tag}` })).sensor.id;
    const endpoint = await newEndpoint(ctx, { description: `CRM ${tag}` });
    const visitor = await newVisitor(ctx, { crm: true, sms: true });
    await bApi.patch(`/visitors/${visitor.id}/attributes`, { attributes: { secretTier: `Tier ${tag}` } }).expect(200);
    const rule = await newRule(ctx, { name: `Rule ${tag}`, trigger: { type: 'custom', name: 'ping' }, scope: { venueIds: [org.venueId] }, actions: [{ type: 'webhook', endpointIds: [endpoint.id] }] });
    await bApi.post('/events', { type: 'custom', name: 'ping', venueId: org.venueId, visitorId: visitor.id }).expect(202);
    const delivery = await waitFor(async () => {
      const items = ((await bApi.get(`/deliveries?visitorId=${visitor.id}`)).body as { items?: { id: string; status: string }[] }).items ?? [];
      return items.find((d) => d.status === 'delivered');
    }, 30_000, "B's webhook delivery");
    await bApi.post('/sms-suppressions', { phone: '+447400999111' }).expect((res) => assert.ok(res.status < 300, res.text));
    const staff = await ctx.services.organisations.createUser(org.orgId, { email: `owner-${tag.toLowerCase()}@b.example`, role: 'owner', password: 'b-password-long-enough' });
    const apiKeyId = (await ctx.database.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE org_id = $1 LIMIT 1', [org.orgId])).rows[0]?.id ?? '';
    b = {
      org, zoneId, gatewayId, sensorId, ruleId: rule.id, endpointId: endpoint.id, visitor, deliveryId: delivery.id, staffId: staff.user.id, apiKeyId, suppressedPhone: '+447400999111',
      markers: [tag, tag.toLowerCase(), visitor.phone, '+447400999111', endpoint.secret],
    };
    a = await newOrg(ctx.services, 'Org A');
    await ctx.services.organisations.createUser(a.orgId, { email: 'owner@a.example', role: 'owner', password: 'a-password-long-enough' });
    doc = buildOpenApiDocument({ publicUrl: 'http://localhost', version: PASSBY_VERSION });
    snapshot = await snapshotOf(ctx.database.pool, org.orgId);
  });
  after(async () => ctx.close());

  const routes = () => routesOf((ctx.app as unknown as { router: { stack: LayerLike[] } }).router);

  it("answers 404/403 on every /api/v1 route that names one of B's ids, leaks nothing, and changes nothing of B's", async () => {
    const api = routes().filter(([, path]) => path.startsWith('/api/v1/') && path !== '/api/v1/ingest/probes');
    assert.ok(api.length >= 50, `found only ${api.length} API routes: is the router walk still right?`);
    const problems: string[] = [];
    const asA = apiClient(ctx.app, a.apiKey);
    for (const [method, path] of api) {
      const url = fillPath(b, path.replace(/^\/api\/v1/, ''));
      // A phone number in the path is not B's resource (suppression lists are per organisation): the snapshot covers it.
      const named = url !== path.replace(/^\/api\/v1/, '') && !path.endsWith('/:phone');
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? exampleBody(doc, b, method, path) : undefined;
      // Lists and creates take B's ids as filters or fields.
      const query = method === 'GET' && !named ? `?venueId=${b.org.venueId}&zoneId=${b.zoneId}&visitorId=${b.visitor.id}&ruleId=${b.ruleId}&endpointId=${b.endpointId}` : '';
      const call = method === 'DELETE' ? supertest(ctx.app).delete(`/api/v1${url}`).set({ Authorization: `Bearer ${a.apiKey}` }) : asA[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch'](`${url}${query}`, body);
      const res = await call;
      const sent = `${url}${query}${JSON.stringify(body ?? '')}`;
      const leaked = leaks(sent, res.text);
      if (leaked.length > 0) problems.push(`${method} ${path}: ${res.status} shows B's ${leaked.join(', ')}`);
      if (named && ![403, 404].includes(res.status)) problems.push(`${method} ${path}: answered ${res.status}, not 404/403: ${res.text.slice(0, 200)}`);
      if (res.status >= 500) problems.push(`${method} ${path}: ${res.status}`);
    }
    assert.deepEqual(problems, []);
    assert.equal(await snapshotOf(ctx.database.pool, b.org.orgId), snapshot, "B's rows are unchanged");
  });

  it("finds B's data on B's own GET routes (the leak detector and the id filling work)", async () => {
    const named = routes().filter(([method, path]) => method === 'GET' && path.startsWith('/api/v1/') && /:(venueId|zoneId|id)\b/.test(path));
    let seen = 0;
    for (const [, path] of named) {
      const url = fillPath(b, path.replace(/^\/api\/v1/, ''));
      const res = await bApi.get(url);
      if (res.status === 200 && b.markers.some((m) => res.text.includes(m))) seen += 1;
    }
    assert.ok(seen >= 8, `B saw its own data on only ${seen} of ${named.length} routes`);
  });

  it("answers 404/403 on every admin page and form that names one of B's ids, for A's owner", async () => {
    const agent = supertest.agent(ctx.app);
    const token = csrfFrom((await agent.get('/login')).text);
    await agent.post('/login').type('form').send({ _csrf: token, email: 'owner@a.example', password: 'a-password-long-enough' }).expect(303);
    const csrf = csrfFrom((await agent.get('/admin')).text);
    const admin = routes().filter(([, path]) => path.startsWith('/admin'));
    assert.ok(admin.length >= 40, `found only ${admin.length} admin routes`);
    const problems: string[] = [];
    let named = 0;
    for (const [method, path] of admin) {
      const url = fillPath(b, path);
      const isNamed = url !== path;
      if (!isNamed && method !== 'GET') continue;
      named += isNamed ? 1 : 0;
      const form = { _csrf: csrf, name: 'Hijack', venueId: b.org.venueId, zoneId: b.zoneId, phone: b.visitor.phone, role: 'analyst', confirm: 'yes' };
      const res = method === 'GET' ? await agent.get(url) : await agent.post(url).type('form').send(form);
      const leaked = leaks(`${url}${JSON.stringify(form)}`, res.text);
      if (leaked.length > 0) problems.push(`${method} ${path}: ${res.status} shows B's ${leaked.join(', ')}`);
      if (isNamed && ![403, 404].includes(res.status)) problems.push(`${method} ${path}: answered ${res.status}, not 404/403`);
    }
    assert.ok(named >= 30, `only ${named} admin routes take an id`);
    assert.deepEqual(problems, []);
    assert.equal(await snapshotOf(ctx.database.pool, b.org.orgId), snapshot, "B's rows are unchanged");
  });
});
