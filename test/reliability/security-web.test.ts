import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import supertest from 'supertest';
import { errorHandler } from '../../src/http/error-handler.js';
import { healthRoutes } from '../../src/http/health.routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { newId } from '../../src/shared/ids.js';
import { LoginLimiter, RedisAttemptCounter } from '../../src/staff/login-limit.js';
import { AppError } from '../../src/shared/errors.js';
import { systemClock } from '../../src/shared/clock.js';
import type { Resolver } from '../../src/triggers/webhooks/address-guard.js';
import { createAddressPolicy } from '../../src/triggers/webhooks/ssrf.js';
import { generateSecret } from '../../src/triggers/webhooks/standard-webhooks.js';
import { createWebhookSender } from '../../src/triggers/webhooks/webhook.sender.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.server.js';
import { csrfFrom } from '../helpers/admin-forms.js';
import { bearer } from '../helpers/factories.js';
import { createPortalTestContext, omadaLanding, type PortalTestContext } from '../helpers/portal.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';

const PASSWORD = 'web-test-password-long';
const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'];
const RAW = [/<script>alert\(1\)/i, /<img src=x/i, /onerror=alert/i];
type Agent = ReturnType<typeof supertest.agent>;
const sidOf = (res: supertest.Response): string | undefined => (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('passby.sid='))?.split(';')[0];

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, unknown> };
  handle?: unknown;
}
const hasStack = (v: unknown): v is { stack: LayerLike[] } => (typeof v === 'function' || typeof v === 'object') && v !== null && Array.isArray((v as { stack?: unknown }).stack);
function routesOf(router: { stack: LayerLike[] }, prefix = ''): [string, string][] {
  const join = (a: string, b: string) => `${a}/${b}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return router.stack.flatMap((layer): [string, string][] => {
    if (layer.route) return ([layer.route.path].flat() as string[]).flatMap((p) => Object.keys(layer.route?.methods ?? {}).map((m): [string, string] => [m.toUpperCase(), join(prefix, p)]));
    return hasStack(layer.handle) ? ([layer.rawPath ?? ''].flat() as string[]).flatMap((mount) => routesOf(layer.handle as { stack: LayerLike[] }, join(prefix, mount))) : [];
  });
}

describe('security: sessions, CSRF, XSS, SSRF, sign-in throttling and metrics', () => {
  let ctx: PortalTestContext;
  const signIn = async (email = 'owner@web.example', password = PASSWORD, agent: Agent = supertest.agent(ctx.app)) => {
    const page = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email, password });
    return { agent, page, res };
  };

  before(async () => {
    ctx = await createPortalTestContext();
    await ctx.services.organisations.createUser(ctx.org.orgId, { email: 'owner@web.example', role: 'owner', password: PASSWORD });
  });
  after(async () => ctx.close());

  it('gives a new session id at sign-in: an id planted before login is not the one signed in', async () => {
    const attacker = supertest.agent(ctx.app);
    const planted = sidOf(await attacker.get('/login'));
    assert.ok(planted, 'the login page starts a session (for its CSRF token)');
    const victim = supertest.agent(ctx.app);
    const page = await victim.get('/login').set('Cookie', planted);
    const login = await victim.post('/login').set('Cookie', planted).type('form').send({ _csrf: csrfFrom(page.text), email: 'owner@web.example', password: PASSWORD }).expect(303);
    const issued = sidOf(login);
    assert.ok(issued && issued !== planted, 'a fresh session id after login');
    await supertest(ctx.app).get('/admin').set('Cookie', planted).expect(303);
    await supertest(ctx.app).get('/admin').set('Cookie', issued).expect(200);
  });

  it('refuses every staff POST route without the CSRF token, or with a wrong one', async () => {
    const { agent } = await signIn();
    const posts = routesOf((ctx.app as unknown as { router: { stack: LayerLike[] } }).router).filter(([m, p]) => m === 'POST' && (p.startsWith('/admin') || p === '/login' || p === '/logout'));
    assert.ok(posts.length >= 30, `found only ${posts.length} staff POST routes`);
    const problems: string[] = [];
    for (const [, path] of posts) {
      const url = path.replace(/:venueId/g, ctx.org.venueId).replace(/:\w+/g, '00000000-0000-4000-8000-000000000000');
      for (const token of [undefined, 'forged-token-forged-token-forged-token-xx']) {
        const res = await agent.post(url).set('Accept', 'application/json').type('form').send({ name: 'x', ...(token ? { _csrf: token } : {}) });
        const code = (res.body as { error?: { code?: string } }).error?.code;
        if (res.status !== 403 || code !== 'CSRF_FAILED') problems.push(`POST ${path} (${token ? 'wrong' : 'no'} token): ${res.status} ${code ?? ''}`);
      }
    }
    assert.deepEqual(problems, []);
    // Still signed in: the refused logout did nothing.
    await agent.get('/admin').expect(200);
  });

  it('renders hostile names, texts, templates and attributes escaped on portal and admin pages, under a CSP', async () => {
    const [script, img] = XSS as [string, string];
    const api = (method: 'put' | 'patch' | 'post', path: string, body: object) =>
      supertest(ctx.app)[method](`/api/v1${path}`).set(bearer(ctx.org.apiKey)).send(body).expect((res) => assert.ok(res.status < 300, `${path}: ${res.text}`));
    await api('patch', `/venues/${ctx.org.venueId}`, { name: `Cafe ${script}${img}` });
    await api('put', `/venues/${ctx.org.venueId}/portal`, { texts: { en: { title: `T ${img}`, welcome: `W ${script}`, terms: `Terms ${img}` } } });
    await api('post', `/venues/${ctx.org.venueId}/zones`, { name: `Zone ${img}` });
    const gateway = await ctx.services.gateways.create(ctx.org.orgId, { kind: 'opennds', venueId: ctx.org.venueId, name: `AP ${script}${img}` });
    const rule = await api('post', '/rules', { name: `Rule ${img}`, trigger: { type: 'custom', name: 'x' }, actions: [{ type: 'sms', template: `Hi ${script}${img}` }] });
    const visitorId = (await new VisitorRepository(ctx.database.pool).upsert({ id: newId(), orgId: ctx.org.orgId, phone: '+447400777001' }, new Date())).id;
    await api('patch', `/visitors/${visitorId}/attributes`, { attributes: { tier: script, note: img } });

    const { agent } = await signIn();
    const portal = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding('02-AA-BB-CC-DD-01'));
    // A gateway-supplied SSID is refused or shown escaped; either way never raw.
    const ssid = await supertest(ctx.app).get(`/portal/omada/${ctx.gatewayId}`).query(omadaLanding('02-AA-BB-CC-DD-02', { ssidName: `${script}${img}` }));
    assert.ok([200, 400].includes(ssid.status), `hostile SSID answered ${ssid.status}`);
    for (const raw of RAW) assert.doesNotMatch(ssid.text, raw);
    const pages: [string, supertest.Response][] = [['portal landing', portal]];
    const adminPaths = ['/admin', `/admin/venues/${ctx.org.venueId}/zones`, `/admin/venues/${ctx.org.venueId}/portal`, `/admin/venues/${ctx.org.venueId}/portal/preview`, '/admin/gateways', `/admin/gateways/${gateway.gateway.id}`, '/admin/rules', `/admin/rules/${(rule.body as { id: string }).id}`, `/admin/rules/${(rule.body as { id: string }).id}/edit`, `/admin/visitors/${visitorId}`];
    for (const path of adminPaths) pages.push([path, await agent.get(path)]);
    const problems: string[] = [];
    let escaped = 0;
    for (const [name, res] of pages) {
      if (res.status !== 200) problems.push(`${name}: ${res.status}`);
      for (const raw of RAW) if (raw.test(res.text)) problems.push(`${name}: raw ${String(raw)}`);
      if (/&lt;script&gt;alert\(1\)|&lt;img src=x|&quot;&gt;&lt;img/.test(res.text)) escaped += 1;
      const csp = res.headers['content-security-policy'] ?? '';
      if (!csp.includes('default-src') || /script-src[^;]*'unsafe-inline'/.test(csp)) problems.push(`${name}: CSP "${csp}"`);
    }
    assert.deepEqual(problems, []);
    assert.ok(escaped >= pages.length - 1, `the payload was shown (escaped) on ${escaped} of ${pages.length} pages`);
  });

  it('refuses webhook targets on private networks: addresses, IPv6-mapped forms, DNS rebinding, redirects', async () => {
    let crm: WebhookReceiver | undefined;
    const sender = (resolve?: Resolver) => createWebhookSender({ webhook: { timeoutMs: 2_000, maxResponseBytes: 4096 }, policy: createAddressPolicy([]), clock: systemClock, ...(resolve ? { resolve } : {}) });
    const secret = generateSecret();
    try {
      crm = await startWebhookReceiver({ secrets: [secret] });
      const port = new URL(crm.url).port;
      const send = async (url: string, resolve?: Resolver) => {
        const s = sender(resolve);
        try {
          return await s.send({ url, secrets: [secret], messageId: `m-${Math.random()}`, body: '{}', timestamp: new Date() });
        } finally {
          s.close();
        }
      };
      const hostile = [
        `http://127.0.0.1:${port}/hooks`, `http://[::1]:${port}/hooks`, `http://[::ffff:127.0.0.1]:${port}/hooks`, `http://[::ffff:7f00:1]:${port}/hooks`,
        `http://2130706433:${port}/hooks`, `http://0x7f.1:${port}/hooks`, `http://localhost:${port}/hooks`, 'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/hooks', 'http://192.168.1.1/hooks', 'http://[fd00::1]/hooks', 'http://[::ffff:a9fe:a9fe]/hooks',
      ];
      const outcomes = await Promise.all(hostile.map(async (url) => `${url} ${(await send(url)).outcome}`));
      assert.deepEqual(outcomes.filter((o) => o.endsWith('delivered')), []);
      // Rebinding: the name answers a public address first (a validator would pass it), loopback on every later lookup.
      let lookups = 0;
      const rebinding: Resolver = () => Promise.resolve([{ address: lookups++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }]);
      await send(`http://rebind.example:${port}/hooks`, rebinding);
      await send(`http://rebind.example:${port}/hooks`, rebinding);
      assert.equal(crm.received.length, 0, 'nothing reached the loopback receiver');

      const refused = await supertest(ctx.app).post('/api/v1/webhook-endpoints').set(bearer(ctx.org.apiKey)).send({ url: `http://[::ffff:127.0.0.1]:${port}/hooks` });
      assert.equal(refused.status, 400);
      assert.equal((refused.body as { error: { code: string } }).error.code, 'WEBHOOK_URL_FORBIDDEN');

      // A redirect from an allowed receiver is reported, never followed.
      crm.script({ statuses: [302], location: 'http://169.254.169.254/latest/meta-data/' });
      const allowed = createWebhookSender({ webhook: { timeoutMs: 2_000, maxResponseBytes: 4096 }, policy: createAddressPolicy(['127.0.0.1/32']), clock: systemClock });
      const redirected = await allowed.send({ url: crm.url, secrets: [secret], messageId: 'redirect', body: '{}', timestamp: new Date() });
      allowed.close();
      assert.equal(redirected.outcome, 'failed');
      assert.equal(crm.received.length, 1);
    } finally {
      await crm?.close();
    }
  });

  it('throttles staff sign-in per account, then per address, with RATE_LIMITED and a time to wait', async () => {
    await ctx.services.organisations.createUser(ctx.org.orgId, { email: 'target@web.example', role: 'analyst', password: PASSWORD });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signIn('target@web.example', `wrong-${i}-password`)).res.status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    const blocked = await signIn('target@web.example', PASSWORD);
    assert.equal(blocked.res.status, 429, 'even the right password waits once the tries are used');
    assert.match(blocked.res.text, /Too many sign-in attempts; try again in 15 minutes/);
    assert.ok(Number(blocked.res.headers['retry-after']) > 800);
    const json = await blocked.agent.post('/login').set('Accept', 'application/json').type('form').send({ _csrf: csrfFrom(blocked.page.text), email: 'target@web.example', password: PASSWORD });
    assert.equal((json.body as { error: { code: string } }).error.code, 'RATE_LIMITED');
    assert.equal((await signIn()).res.status, 303, 'another account from the same address still signs in');
  });

  it('counts sign-in attempts in Redis atomically: a burst from many processes gets exactly the allowed tries', async () => {
    const prefix = testPrefix();
    try {
      // Three limiters stand in for three web processes sharing one Redis.
      const limiter = () => new LoginLimiter(new RedisAttemptCounter(ctx.redis), prefix, { perAccount: 5, perIp: 1000 });
      const processes = [limiter(), limiter(), limiter()];
      const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => (processes[i % 3] ?? limiter()).attempt(`${i % 2 ? 'Victim' : 'victim'}@Example.com`, `203.0.113.${i}`)));
      const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof AppError && r.reason.code === 'RATE_LIMITED');
      assert.equal(results.length - refused.length, 5);
      const perIp = new LoginLimiter(new RedisAttemptCounter(ctx.redis), prefix, { perAccount: 1000, perIp: 3 });
      const spray = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => perIp.attempt(`user${i}@example.com`, '198.51.100.9')));
      assert.equal(spray.filter((r) => r.status === 'fulfilled').length, 3, 'password spraying from one address is capped too');
    } finally {
      await deletePrefix(prefix);
    }
  });

  it('serves /metrics to loopback only, never through a proxy, and with METRICS_TOKEN only to its bearer', async () => {
    const app = (metricsToken?: string) =>
      express().use(healthRoutes({ db: ctx.database.pool, redis: ctx.redis, metrics: createMetrics(), pendingMigrations: () => Promise.resolve([]), ...(metricsToken ? { metricsToken } : {}) }), errorHandler());
    await supertest(app()).get('/metrics').set('Accept', 'application/json').expect(200);
    await supertest(app()).get('/metrics').set('Accept', 'application/json').set('X-Forwarded-For', '203.0.113.5').expect(403);
    const token = 'metrics-token-0123456789abcdef';
    await supertest(app(token)).get('/metrics').set('Accept', 'application/json').expect(401);
    await supertest(app(token)).get('/metrics').set('Accept', 'application/json').set('Authorization', 'Bearer metrics-token-0123456789abcdeX').expect(401);
    const ok = await supertest(app(token)).get('/metrics').set('Accept', 'application/json').set('Authorization', `Bearer ${token}`).expect(200);
    assert.match(ok.text, /passby_/);
    await supertest(ctx.app).get('/metrics').set('Accept', 'application/json').set('X-Forwarded-For', '203.0.113.5').expect(403);

    // From a non-loopback interface of this machine, when it has one.
    const server = app().listen(0, '0.0.0.0');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { networkInterfaces } = await import('node:os');
      const external = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
      if (external) {
        const res = await fetch(`http://${external}:${(server.address() as AddressInfo).port}/metrics`, { headers: { Accept: 'application/json' } });
        assert.equal(res.status, 403);
      }
    } finally {
      server.close();
    }
  });
});
