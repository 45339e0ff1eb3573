import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import request from 'supertest';
import { buildTestApp, createTestContext, testConfig, type TestContext } from '../helpers/context.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';
import { csrfFrom, signedInAgent } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';
const MASK = '&lt;hidden: open &quot;Show secret&quot; below&gt;';
type Agent = ReturnType<typeof request.agent>;

/** The text of the <pre id="..."> block, as a browser would copy it. */
function blockText(html: string, id: string): string {
  const match = new RegExp(`<pre id="${id}"[^>]*>([\\s\\S]*?)</pre>`).exec(html);
  assert.ok(match?.[1] !== undefined, `the page has the block ${id}`);
  const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`' };
  return match[1].replace(/&(amp|lt|gt|quot|#x27|#x3D|#x60);/g, (e) => entities[e] ?? e);
}

const gatewayIdIn = (html: string): string => {
  const match = /<dt>Gateway id<\/dt><dd><code>([0-9a-f-]{36})<\/code>/.exec(html);
  assert.ok(match?.[1], 'the page names the gateway id');
  return match[1];
};

describe('admin gateway and sensor set-up pages', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let rival: TestOrg;
  let zoneId: string;
  let otherVenueZoneId: string;
  let owner: Agent;
  let marketer: Agent;
  let analyst: Agent;
  let rivalOwner: Agent;
  let token: string;

  const signIn = (email: string): Promise<Agent> => signedInAgent(ctx.app, email, PASSWORD);

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Devices Org');
    rival = await newOrg(ctx.services, 'Rival Devices Org');
    zoneId = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Entrance' })).id;
    const second = await ctx.services.venues.create(org.orgId, { name: 'Second venue', timezone: 'Europe/London' });
    otherVenueZoneId = (await ctx.services.venues.createZone(org.orgId, second.id, { name: 'Till' })).id;
    const users = ctx.services.organisations;
    await users.createUser(org.orgId, { email: 'owner@devices.example', role: 'owner', password: PASSWORD });
    await users.createUser(org.orgId, { email: 'marketer@devices.example', role: 'marketer', password: PASSWORD });
    await users.createUser(org.orgId, { email: 'analyst@devices.example', role: 'analyst', password: PASSWORD });
    await users.createUser(rival.orgId, { email: 'owner@rival-devices.example', role: 'owner', password: PASSWORD });
    owner = await signIn('owner@devices.example');
    marketer = await signIn('marketer@devices.example');
    analyst = await signIn('analyst@devices.example');
    rivalOwner = await signIn('owner@rival-devices.example');
    token = csrfFrom((await owner.get('/admin/gateways').expect(200)).text);
  });
  after(() => ctx.close());

  it('lets only owners in: other roles get 403, signed-out visitors go to the login page', async () => {
    const { gateway } = await ctx.services.gateways.create(org.orgId, { kind: 'opennds', venueId: org.venueId, name: 'Guarded' });
    for (const path of ['/admin/gateways', `/admin/gateways/${gateway.id}`, '/admin/sensors']) {
      for (const agent of [marketer, analyst]) assert.match((await agent.get(path).expect(403)).text, /owner role/, path);
      const out = await request(ctx.app).get(path).expect(303);
      assert.equal(out.headers.location, `/login?next=${encodeURIComponent(path)}`);
    }
    const csrf = csrfFrom((await analyst.get('/admin').expect(200)).text);
    await analyst.post('/admin/sensors').type('form').send({ _csrf: csrf, name: 'Sneaky', venueId: org.venueId }).expect(403);
    assert.ok(!(await ctx.services.sensors.list(org.orgId)).some((s) => s.name === 'Sneaky'));
  });

  it('refuses a POST without the CSRF token', async () => {
    await owner.post('/admin/gateways').type('form').send({ kind: 'opennds', name: 'No token', venueId: org.venueId }).set('Accept', 'text/html').expect(403);
    await owner.post('/admin/sensors').type('form').send({ name: 'No token', venueId: org.venueId }).set('Accept', 'text/html').expect(403);
    assert.ok(!(await ctx.services.gateways.list(org.orgId)).some((g) => g.name === 'No token'));
    assert.ok(!(await ctx.services.sensors.list(org.orgId)).some((s) => s.name === 'No token'));
  });

  it('adds an openNDS gateway: the config from its settings and the venue session, faskey once, then behind "Show secret"', async () => {
    await request(ctx.app).put(`/api/v1/venues/${org.venueId}/portal`).set(bearer(org.apiKey)).send({ session: { minutes: 90, downloadKbps: 2048 } }).expect(200);
    const created = await owner.post('/admin/gateways').type('form').send({ _csrf: token, kind: 'opennds', name: 'Front AP', venueId: org.venueId, zoneId, fasLevel: '1' }).expect(201);
    assert.equal(created.headers['cache-control'], 'no-store');
    const id = gatewayIdIn(created.text);
    const { gateway, secrets } = await ctx.services.gateways.getWithSecrets(org.orgId, id);
    assert.deepEqual({ name: gateway.name, zoneId: gateway.zoneId, settings: gateway.settings }, { name: 'Front AP', zoneId, settings: { fasLevel: 1 } });
    assert.ok('faskey' in secrets);
    const conf = blockText(created.text, 'config-1');
    for (const line of ['GatewayName Front AP', 'fasport 3000', 'fasremoteip <IPv4 address of localhost>', 'fasremotefqdn localhost', `faspath /portal/opennds/${id}`, 'fas_secure_enabled 1', `faskey ${secrets.faskey}`, 'sessiontimeout 90', 'downloadrate 2048']) {
      assert.ok(conf.split('\n').includes(line), `opennds.conf has "${line}"`);
    }
    assert.match(blockText(created.text, 'config-2'), new RegExp(`^uci set opennds\\.@opennds\\[0\\]\\.faskey='${secrets.faskey}'$`, 'm'));
    assert.match(created.text, /Levels 2 and 3 need PHP|Level 1: openNDS sends visitors/);
    assert.doesNotMatch(created.text, /Show secret<\/summary>/, 'just created: no need to hide it');

    const later = await owner.get(`/admin/gateways/${id}`).expect(200);
    assert.equal(later.headers['cache-control'], 'no-store');
    assert.ok(blockText(later.text, 'config-1').split('\n').includes('faskey <hidden: open "Show secret" below>'));
    assert.ok(later.text.includes(MASK));
    const [shown, hidden = ''] = later.text.split('<summary>Show secret</summary>');
    assert.ok(!shown?.includes(secrets.faskey), 'the faskey is not on screen by default');
    assert.ok(hidden.includes(`<code class="faskey">${secrets.faskey}</code>`));
    assert.match((await owner.get('/admin/gateways').expect(200)).text, /<td><a href="\/admin\/gateways\/[^"]+">Front AP<\/a><\/td><td>openNDS<\/td><td>Devices Org venue<\/td><td>Entrance<\/td>/);
  });

  it('fills in the IPv4 address openNDS needs for a host name, with a message next to the field for anything else', async () => {
    const { gateway } = await ctx.services.gateways.create(org.orgId, { kind: 'opennds', venueId: org.venueId, name: 'Named host' });
    const filled = await owner.get(`/admin/gateways/${gateway.id}`).query({ fasremoteip: '203.0.113.7' }).expect(200);
    assert.ok(blockText(filled.text, 'config-1').split('\n').includes('fasremoteip 203.0.113.7'));
    const wrong = await owner.get(`/admin/gateways/${gateway.id}`).query({ fasremoteip: 'wifi.example.com' }).expect(400);
    assert.match(wrong.text, /id="fasremoteip-error">Enter the IPv4 address/);
    assert.match(wrong.text, /value="wifi\.example\.com"/);
  });

  it('adds an Omada gateway: portal URL and operator for the controller, the password once, then hidden', async () => {
    const form = { _csrf: token, kind: 'omada', name: 'Omada hall', venueId: org.venueId, controllerUrl: 'https://omada.example:8043', site: 'Hall', operatorUsername: 'passby-hotspot', operatorPassword: 'op-secret-42', timeUnit: 'us', fasLevel: '2' };
    const created = await owner.post('/admin/gateways').type('form').send(form).expect(201);
    const id = gatewayIdIn(created.text);
    const { gateway, secrets } = await ctx.services.gateways.getWithSecrets(org.orgId, id);
    assert.deepEqual(gateway.settings, { controllerUrl: 'https://omada.example:8043', site: 'Hall', operatorUsername: 'passby-hotspot', timeUnit: 'us' });
    assert.deepEqual(secrets, { operatorPassword: 'op-secret-42' });
    assert.equal(blockText(created.text, 'portal-url'), `http://localhost:3000/portal/omada/${id}`);
    assert.match(blockText(created.text, 'controller-settings'), /Authentication Type: External Portal Server/);
    assert.match(blockText(created.text, 'operator'), /Operator Name: passby-hotspot\nPassword: op-secret-42\nSites: Hall/);

    const later = await owner.get(`/admin/gateways/${id}`).expect(200);
    assert.match(blockText(later.text, 'operator'), /Password: <hidden: open "Show secret" below>/);
    assert.equal(later.text.split('op-secret-42').length - 1, 2, 'the password only behind "Show secret"');
    assert.ok(later.text.indexOf('op-secret-42') > later.text.indexOf('<summary>Show secret</summary>'));
  });

  it('shows validation messages next to the fields, keeps the input and adds nothing', async () => {
    const before = (await ctx.services.gateways.list(org.orgId)).length;
    const omada = await owner
      .post('/admin/gateways')
      .type('form')
      .send({ _csrf: token, kind: 'omada', name: 'Keep me', venueId: org.venueId, controllerUrl: 'not a url', operatorUsername: '', operatorPassword: 'typed-once', timeUnit: 'ms' })
      .expect(400);
    assert.match(omada.text, /<p class="sd-field-error" id="controllerUrl-error">expected the controller URL/);
    assert.match(omada.text, /id="operatorUsername-error">the hotspot operator user name is required/);
    assert.match(omada.text, /value="Keep me"/);
    assert.match(omada.text, /value="not a url"/);
    assert.match(omada.text, /id="kind-omada" name="kind" value="omada" checked/);
    assert.doesNotMatch(omada.text, /typed-once/, 'the password is not sent back');

    const opennds = await owner.post('/admin/gateways').type('form').send({ _csrf: token, kind: 'opennds', name: '', venueId: '', fasLevel: '3' }).expect(400);
    assert.match(opennds.text, /id="name-error">must not be empty/);
    assert.match(opennds.text, /id="venueId-error">Choose the venue/);
    assert.match(opennds.text, /id="fasLevel-error">FAS level 3 needs an https publicUrl/);

    const zone = await owner.post('/admin/gateways').type('form').send({ _csrf: token, kind: 'opennds', name: 'Wrong zone', venueId: org.venueId, zoneId: otherVenueZoneId, fasLevel: '2' }).expect(400);
    assert.match(zone.text, /id="zoneId-error">This zone is in Second venue/);
    assert.equal((await ctx.services.gateways.list(org.orgId)).length, before);

    const sensor = await owner.post('/admin/sensors').type('form').send({ _csrf: token, name: ' ', venueId: '', zoneId: '' }).expect(400);
    assert.match(sensor.text, /id="name-error">must not be empty/);
    assert.match(sensor.text, /id="venueId-error">Choose the venue/);
  });

  it("keeps organisations apart: another org's gateway, venue and sensors are out of reach", async () => {
    const { gateway } = await ctx.services.gateways.create(org.orgId, { kind: 'opennds', venueId: org.venueId, name: 'Private gateway' });
    await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Private sensor' });
    await rivalOwner.get(`/admin/gateways/${gateway.id}`).set('Accept', 'text/html').expect(404);
    const csrf = csrfFrom((await rivalOwner.get('/admin/sensors').expect(200)).text);
    await rivalOwner.post('/admin/gateways').type('form').send({ _csrf: csrf, kind: 'opennds', name: 'Intruder', venueId: org.venueId, fasLevel: '2' }).set('Accept', 'text/html').expect(404);
    await rivalOwner.post('/admin/sensors').type('form').send({ _csrf: csrf, name: 'Intruder', venueId: org.venueId }).set('Accept', 'text/html').expect(404);
    const lists = (await rivalOwner.get('/admin/gateways').expect(200)).text + (await rivalOwner.get('/admin/sensors').expect(200)).text;
    assert.doesNotMatch(lists, /Private gateway|Private sensor|>Devices Org venue</);
    assert.equal((await ctx.services.gateways.list(rival.orgId)).length + (await ctx.services.sensors.list(rival.orgId)).length, 0);
  });

  it('lists sensors with last seen, status and probes per minute for the last hour', async () => {
    const seen = (await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, zoneId, name: 'Door sensor' })).sensor;
    const stale = (await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Window sensor' })).sensor;
    await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Boxed sensor' });
    const now = Date.now() / 1000;
    const probes = [2, 2, 2, 10, 30, 30, 90].map((minutesAgo, i) => ({ ts: now - minutesAgo * 60, mac: `da:a1:19:00:00:${String(10 + i)}`, rssi: -60 }));
    const outcome = await ctx.services.ingest.ingest(seen, { id: 'admin-test-1', digest: Buffer.alloc(32, 1), records: probes.map((probe, index) => ({ ok: true, probe, index })) });
    assert.equal(outcome.accepted, 7);
    await ctx.database.pool.query(`UPDATE sensors SET last_seen_at = now() - interval '20 minutes' WHERE id = $1`, [stale.id]);

    const series = (await ctx.services.sensors.probesPerMinute(org.orgId, new Date(), 60)).get(seen.id) ?? [];
    assert.equal(series.length, 60);
    assert.deepEqual([series[57], series[49], series[29], series.reduce((a, b) => a + b, 0)], [3, 1, 2, 6], 'the 90-minute-old probe is outside the hour');

    const page = (await owner.get('/admin/sensors').expect(200)).text;
    const row = (name: string): string => {
      const match = new RegExp(`<tr class="sensor-row"[^>]*>\\s*<th scope="row">${name}</th>([\\s\\S]*?)</tr>`).exec(page);
      assert.ok(match?.[1], `a row for ${name}`);
      return match[1];
    };
    assert.match(row('Door sensor'), /<td>Entrance<\/td>[\s\S]*>just now<\/time>[\s\S]*sd-online">Online<[\s\S]*<svg[^>]*role="img" aria-label="Probes per minute, last hour: Door sensor"><title>Probes per minute, last hour: Door sensor<\/title>[\s\S]*Peak 3\/min<br>This minute 0<br>6 in the hour/);
    assert.match(row('Window sensor'), />20 min ago<\/time>[\s\S]*sd-stale">Stale<[\s\S]*No probes<br>in the last hour/);
    assert.match(row('Boxed sensor'), /<td class="sd-nowrap">never<\/td>[\s\S]*sd-never">Never seen</);
  });

  it('adds a sensor and shows its token once with a curl example that works as shown', async () => {
    // The example names config.publicUrl: serve an app whose public URL is where it listens.
    let handle: RequestListener = (_req, res) => res.end();
    const server = createServer((req, res) => handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const served = buildTestApp(testConfig({ DATABASE_URL: ctx.database.url, REDIS_URL: TEST_REDIS_URL, PUBLIC_URL: base }), ctx.database, ctx.redis);
    handle = served.app;
    try {
      const agent = request.agent(served.app);
      const csrf = csrfFrom((await agent.get('/login')).text);
      await agent.post('/login').type('form').send({ _csrf: csrf, email: 'owner@devices.example', password: PASSWORD }).expect(303);
      const page = await agent.post('/admin/sensors').type('form').send({ _csrf: csrfFrom((await agent.get('/admin/sensors')).text), name: 'Till sensor', venueId: org.venueId, zoneId }).expect(201);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(page.text, /it will not be shown again/);
      const shownToken = blockText(page.text, 'token');
      const sensor = await ctx.services.sensors.authenticate(shownToken);
      assert.equal(sensor?.name, 'Till sensor');
      assert.equal(sensor.zoneId, zoneId);
      assert.ok(blockText(page.text, 'agent').includes(`uci set passby-sensor.main.token='${shownToken}'`));

      const { stdout } = await promisify(execFile)('bash', ['-c', blockText(page.text, 'curl')]);
      assert.match(stdout, /"accepted":1,"rejected":0/);
      assert.match(stdout, /HTTP 202\s*$/);
      assert.match((await agent.get('/admin/sensors').expect(200)).text, /Till sensor<\/th>[\s\S]*?just now[\s\S]*?sd-online">Online<[\s\S]*?Peak 1\/min<br>This minute 1/);
      assert.doesNotMatch((await agent.get('/admin/sensors')).text, new RegExp(shownToken), 'the list never shows the token');
    } finally {
      await served.triggers.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
