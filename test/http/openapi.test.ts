import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import request from 'supertest';
import type { z } from 'zod';
import { venueAnalyticsSettingsSchema } from '../../src/analytics/analytics.settings.js';
import { buildOpenApiDocument, openApiRoutes, PASSBY_VERSION } from '../../src/http/openapi/index.js';
import { gatewayInputSchema } from '../../src/portal/gateway.schemas.js';
import { portalOrgSettingsInputSchema, portalVenueSettingsSchema } from '../../src/portal/portal.settings.js';
import { ERRORS } from '../../src/shared/errors.js';
import { venueInputSchema, venuePatchSchema, zoneInputSchema } from '../../src/tenancy/tenancy.schemas.js';
import { apiEventSchema } from '../../src/triggers/engine/event-intake.service.js';
import { draftRuleTestSchema, ruleTestSchema } from '../../src/triggers/rules/rule-test.schema.js';
import { ruleDefinitionSchema, triggerSettingsSchema } from '../../src/triggers/rules/rule.schema.js';
import { triggerEventSchema } from '../../src/triggers/trigger-event.js';
import { attributesPatchSchema, consentChangeSchema, phoneBodySchema } from '../../src/triggers/visitors/visitor.schemas.js';
import { createTestContext, type TestContext } from '../helpers/context.js';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];
const ORG_ID = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

// ---- Express 5 route listing: app.router.stack, route layers and nested routers (layer.handle.stack) ----
interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, unknown> };
  handle?: unknown;
}
interface StackOwner {
  stack: LayerLike[];
}
const hasStack = (value: unknown): value is StackOwner => (typeof value === 'function' || typeof value === 'object') && value !== null && Array.isArray((value as Partial<StackOwner>).stack);
const joinPath = (prefix: string, path: string): string => `${prefix}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/** A route or mount path as strings (Express accepts arrays of paths too); RegExp paths cannot be compared. */
function pathsOf(raw: unknown, where: string): string[] {
  const paths = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  for (const path of paths) assert.equal(typeof path, 'string', `${where}: path ${String(path)} is not a string (needs router >= 2.3's layer.rawPath; RegExp paths cannot be compared)`);
  return paths as string[];
}

/** "METHOD /path" of every route reachable from the router, mount paths included. */
function registeredRoutes(router: StackOwner, prefix = ''): string[] {
  const found: string[] = [];
  for (const layer of router.stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
      for (const path of pathsOf(layer.route.path, `a route under ${prefix || '/'}`)) found.push(...methods.map((m) => `${m} ${joinPath(prefix, path)}`));
    } else if (hasStack(layer.handle)) {
      const router = layer.handle;
      for (const mount of pathsOf(layer.rawPath, `a router under ${prefix || '/'}`)) found.push(...registeredRoutes(router, joinPath(prefix, mount)));
    }
  }
  return found;
}

/** Parameter names do not matter to clients: compare `/rules/:id` and `/rules/{ruleId}` as `/rules/{}`. */
const shape = (route: string): string => route.replace(/:\w+/g, '{}').replace(/\{\w+\}/g, '{}');

function documentedRoutes(doc: Json): string[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) => Object.keys(item).filter((k) => METHODS.includes(k)).map((m) => `${m.toUpperCase()} ${path}`));
}

function difference(from: string[], minus: string[]): string[] {
  const shapes = new Set(minus.map(shape));
  return from.filter((route) => !shapes.has(shape(route))).sort();
}

function collectRefs(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value);
      else collectRefs(value, into);
    }
  }
  return into;
}

function resolvePointer(doc: Json, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  return pointer
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (typeof node === 'object' && node !== null ? (node as Json)[part] : undefined), doc);
}

const operations = (doc: Json): { route: string; path: string; op: Json }[] =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([k]) => METHODS.includes(k))
      .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, path, op: op as Json })),
  );

/** Component schemas generated from a zod schema: their examples must parse with it. */
const ZOD_COMPONENTS: Record<string, z.ZodType> = {
  VenueInput: venueInputSchema,
  VenuePatch: venuePatchSchema,
  ZoneInput: zoneInputSchema,
  GatewayInput: gatewayInputSchema,
  PortalOrgSettingsInput: portalOrgSettingsInputSchema,
  PortalVenueSettingsInput: portalVenueSettingsSchema,
  AnalyticsSettingsInput: venueAnalyticsSettingsSchema,
  RuleDefinitionInput: ruleDefinitionSchema,
  RulePatch: ruleDefinitionSchema.partial(),
  TriggerSettingsInput: triggerSettingsSchema,
  RuleTestRequest: ruleTestSchema,
  RuleTestWithRuleRequest: draftRuleTestSchema,
  VisitorAttributesPatch: attributesPatchSchema,
  ConsentInput: consentChangeSchema,
  SmsSuppressionInput: phoneBodySchema,
};

function assertParses(schema: z.ZodType, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  assert.ok(parsed.success, `${what} does not validate: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? ''}`);
}

/** An event body of POST /events, as the engine will see it. */
const asTriggerEvent = (body: Json): Json => ({ ...body, orgId: ORG_ID, source: 'api' });

describe('OpenAPI document', () => {
  let ctx: TestContext;
  let doc: Json;

  before(async () => {
    ctx = await createTestContext();
    doc = buildOpenApiDocument({ publicUrl: ctx.config.publicUrl, version: PASSBY_VERSION });
  });
  after(() => ctx.close());

  it('is served by the app at /api/openapi.json without an API key, with a short cache', async () => {
    const response = await request(ctx.app).get('/api/openapi.json');
    assert.equal(response.status, 200, 'the app does not serve /api/openapi.json: mount openApiRoutes in src/app.ts');
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.match(String(response.headers['cache-control']), /max-age=\d{1,4}\b/);
    const served = response.body as Json;
    assert.equal(served.openapi, '3.1.0');
    assert.deepEqual((served.servers as Json[])[0], { url: `${ctx.config.publicUrl}/api/v1` });
    assert.deepEqual(served, JSON.parse(JSON.stringify(doc)));
  });

  it('openApiRoutes answers the document with a short public cache and no key', async () => {
    const app = express().use(openApiRoutes({ publicUrl: 'https://passby.example/', version: '9.9.9' }));
    const response = await request(app).get('/api/openapi.json').expect(200);
    assert.equal(response.headers['cache-control'], 'public, max-age=300');
    const body = response.body as { info: { version: string }; servers: Json[] };
    assert.equal(body.info.version, '9.9.9');
    assert.deepEqual(body.servers, [{ url: 'https://passby.example/api/v1' }]);
  });

  it('has the OpenAPI 3.1 structure: info, paths, components, unique operation ids, declared path parameters and tags', () => {
    assert.match(String(doc.openapi), /^3\.1\.\d+$/);
    const info = doc.info as Json;
    assert.equal(typeof info.title, 'string');
    assert.equal(info.version, PASSBY_VERSION);
    const components = doc.components as Record<string, Json>;
    assert.ok(Object.keys(components.schemas ?? {}).length > 20 && components.securitySchemes?.apiKey && components.securitySchemes.sensorToken);
    const tagNames = new Set((doc.tags as { name: string }[]).map((t) => t.name));
    const ids = new Set<string>();
    for (const { route, path, op } of operations(doc)) {
      assert.ok(path.startsWith('/') && !path.endsWith('/'), `${route}: paths start with / and do not end with one`);
      assert.equal(typeof op.operationId, 'string', `${route}: operationId`);
      assert.ok(!ids.has(op.operationId as string), `${route}: duplicate operationId ${String(op.operationId)}`);
      ids.add(op.operationId as string);
      assert.ok(Object.keys(op.responses as Json).length > 0, `${route}: responses`);
      for (const tag of op.tags as string[]) assert.ok(tagNames.has(tag), `${route}: tag ${tag} is not declared`);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'path');
      assert.deepEqual(declared.map((p) => p.name).sort(), templated, `${route}: path parameters must match the template`);
      for (const p of declared) assert.equal(p.required, true, `${route}: path parameter ${String(p.name)} must be required`);
      for (const requirement of (op.security ?? doc.security) as Json[]) {
        for (const scheme of Object.keys(requirement)) assert.ok(scheme in components.securitySchemes, `${route}: unknown security scheme ${scheme}`);
      }
    }
  });

  it('resolves every $ref to an existing component, and uses every component schema', () => {
    const refs = collectRefs(doc);
    assert.ok(refs.length > 50);
    const broken = [...new Set(refs)].filter((r) => !r.startsWith('#/components/') || resolvePointer(doc, r) === undefined);
    assert.deepEqual(broken, [], `unresolved $refs: ${broken.join(', ')}`);
    const used = new Set(refs);
    const unused = Object.keys((doc.components as Json).schemas as Json).filter((name) => !used.has(`#/components/schemas/${name}`));
    assert.deepEqual(unused, [], `component schemas nothing refers to: ${unused.join(', ')}`);
  });

  it('lists the stable error codes of the registry and describes the body the error mapper really sends', async () => {
    const schemas = (doc.components as Json).schemas as Record<string, Json>;
    const codes = schemas.ErrorCode?.enum;
    assert.deepEqual(codes, Object.keys(ERRORS));
    const response = await request(ctx.app).get('/api/v1/venues').expect(401);
    const body = response.body as { error: Json };
    assert.ok((codes as unknown[]).includes(body.error.code));
    const errorProps = ((schemas.Error?.properties as Json).error as Json).properties as Json;
    assert.deepEqual(Object.keys(body.error).filter((k) => !(k in errorProps)), [], 'the error body has fields the document does not describe');
  });

  it('documents every route the app registers under /api/v1', () => {
    const served = registeredRoutes((ctx.app as unknown as { router: StackOwner }).router)
      .filter((r) => r.split(' ')[1]?.startsWith('/api/v1/'))
      .map((r) => r.replace(' /api/v1/', ' /'));
    // The walk itself must work, or both comparisons would pass on nothing.
    for (const known of ['GET /venues', 'POST /ingest/probes', 'GET /venues/:venueId/metrics.csv']) assert.ok(served.includes(known), `route listing missed ${known}`);
    const undocumented = difference(served, documentedRoutes(doc));
    assert.deepEqual(undocumented, [], `routes served under /api/v1 but missing from the OpenAPI document:\n  ${undocumented.join('\n  ')}`);
  });

  it('serves every operation the document describes', () => {
    const served = registeredRoutes((ctx.app as unknown as { router: StackOwner }).router).map((r) => r.replace(' /api/v1/', ' /'));
    const missing = difference(documentedRoutes(doc), served);
    assert.deepEqual(missing, [], `documented under /api/v1 but not served by the app (parts not built yet?):\n  ${missing.join('\n  ')}`);
  });

  it('gives request examples that the real zod schemas accept', () => {
    let checked = 0;
    for (const { route, op } of operations(doc)) {
      const media = ((op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined)?.['application/json'];
      const target = (media?.schema as Json | undefined)?.$ref;
      const component = typeof target === 'string' ? target.replace('#/components/schemas/', '') : '';
      const schema = ZOD_COMPONENTS[component];
      if (media?.example === undefined || schema === undefined) continue;
      assertParses(schema, media.example, `${route} example`);
      checked += 1;
    }
    assert.ok(checked >= 14, `only ${checked} examples were checked`);
    const example = (route: string): Json => {
      const found = operations(doc).find((o) => o.route === route);
      return (((found?.op.requestBody as Json).content as Record<string, Json>)['application/json'] as Json).example as Json;
    };
    // POST /events takes one event or a batch (oneOf): checked as the intake does, then as the engine sees it.
    const event = example('POST /events');
    assertParses(apiEventSchema, event, 'POST /events example');
    assertParses(triggerEventSchema, asTriggerEvent(event), 'POST /events example as a trigger event');
    assertParses(ruleDefinitionSchema, example('POST /rules/test').rule, 'POST /rules/test example rule');
  });

  it('docs/triggers.md: its marked JSON examples are accepted by the real schemas', () => {
    const markdown = readFileSync(new URL('../../docs/triggers.md', import.meta.url), 'utf8');
    const blocks = [...markdown.matchAll(/<!-- validate: ([\w-]+) -->\s*```json\n([\s\S]*?)```/g)];
    const kinds = blocks.map((b) => b[1]);
    for (const kind of ['rule', 'event', 'settings']) assert.ok(kinds.includes(kind), `docs/triggers.md has no <!-- validate: ${kind} --> example`);
    const schemas: Record<string, (value: Json) => void> = {
      rule: (v) => assertParses(ruleDefinitionSchema, v, 'docs rule'),
      event: (v) => {
        assertParses(apiEventSchema, v, 'docs event');
        assertParses(triggerEventSchema, asTriggerEvent(v), 'docs event as a trigger event');
      },
      settings: (v) => assertParses(triggerSettingsSchema, v, 'docs settings'),
    };
    for (const [, kind, text] of blocks) {
      const check = schemas[kind!];
      assert.ok(check, `unknown example kind ${kind!}`);
      check(JSON.parse(text!) as Json);
    }
  });
});
