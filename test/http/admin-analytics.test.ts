import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SessionRepository, type StoredSession } from '../../src/analytics/metrics/session.repository.js';
import type { Role } from '../../src/tenancy/index.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';

const PASSWORD = 'a-long-enough-password';
const HOUR = 3600;

function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match?.[1], 'the page carries a CSRF token');
  return match[1];
}

/** A session two to three hours ago, so it falls in "the last 24 hours" whenever the test runs. */
function session(org: TestOrg, device: string, minutes: number, kind: StoredSession['kind']): StoredSession {
  const start = Math.floor(Date.now() / 1000 / HOUR) * HOUR - 3 * HOUR;
  return {
    orgId: org.orgId,
    venueId: org.venueId,
    device: device.padStart(32, '0'),
    zoneId: null,
    start,
    end: start + minutes * 60,
    strongSeconds: kind === 'visitor' ? minutes * 60 : 0,
    probes: 10,
    maxRssi: kind === 'visitor' ? -50 : -80,
    kind,
    known: false,
  };
}

describe('admin venue dashboard', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let other: TestOrg;
  const agents = new Map<Role, request.Agent>();

  async function signIn(role: Role): Promise<request.Agent> {
    const email = `${role}@dash.example`;
    await ctx.services.organisations.createUser(org.orgId, { email, role, password: PASSWORD });
    const agent = request.agent(ctx.app);
    const token = csrfFrom((await agent.get('/login')).text);
    await agent.post('/login').type('form').send({ _csrf: token, email, password: PASSWORD }).expect(303);
    return agent;
  }
  const as = (role: Role): request.Agent => {
    const agent = agents.get(role);
    assert.ok(agent);
    return agent;
  };
  const dashboard = (query = ''): string => `/admin/venues/${org.venueId}/dashboard${query}`;

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Dash org');
    other = await newOrg(ctx.services, 'Other org');
    const now = Math.floor(Date.now() / 1000);
    const sessions = [session(org, 'a', 30, 'visitor'), session(org, 'b', 45, 'visitor'), session(org, 'c', 8, 'visitor'), session(org, 'd', 1, 'passerby')];
    await new SessionRepository(ctx.database.pool).replaceWindow(org.orgId, org.venueId, { from: now - 2 * 86_400, to: now + HOUR, doneUntil: undefined }, sessions);
    for (const role of ['owner', 'analyst', 'marketer'] as const) agents.set(role, await signIn(role));
  });
  after(() => ctx.close());

  it('sends a signed-out visitor to the login page', async () => {
    const res = await request(ctx.app).get(dashboard()).expect(303);
    assert.equal(res.headers.location, `/login?next=${encodeURIComponent(dashboard())}`);
  });

  it('links each venue on the staff home to its dashboard, except for marketers', async () => {
    assert.match((await as('analyst').get('/admin').expect(200)).text, new RegExp(`href="${dashboard()}"`));
    assert.doesNotMatch((await as('marketer').get('/admin').expect(200)).text, /\/dashboard"/);
  });

  it('refuses marketers the dashboard and its CSV with 403', async () => {
    await as('marketer').get(dashboard()).expect(403);
    await as('marketer').get(`/admin/venues/${org.venueId}/dashboard.csv`).expect(403);
  });

  it('shows totals, four labelled SVG charts with data tables, and the period form to an analyst', async () => {
    const html = (await as('analyst').get(dashboard()).expect(200)).text;
    assert.match(html, /<h1>Dash org venue: dashboard<\/h1>/);
    assert.match(html, /<dt>Visitors<\/dt><dd>3<\/dd>/);
    assert.match(html, /<dt>Passers-by<\/dt><dd>1<\/dd>/);
    assert.match(html, /<dt>Capture rate<\/dt><dd>75\.0%<\/dd>/);
    assert.match(html, /<dt>Median dwell<\/dt><dd>30 min<\/dd>/);
    const charts = [...html.matchAll(/<svg [^>]*role="img" aria-label="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(charts, ['Footfall over time: visitors and passers-by', 'Capture rate over time', 'Dwell time distribution (visits)', 'New vs repeat visitors (devices)']);
    assert.match(html, /class="legend">.*Visitors.*Passers-by/);
    assert.equal((html.match(/<details>/g) ?? []).length, 4);
    assert.equal((html.match(/<tr><th scope="row">/g) ?? []).length, 24 + 24 + 5 + 2, 'hourly rows for the footfall and capture tables, dwell buckets, new/repeat');
    assert.match(html, /<th scope="row">5-20 min<\/th><td>1<\/td>/);
    assert.match(html, /<th scope="row">New<\/th><td>3<\/td>/);
    assert.match(html, /<label for="period">Period<\/label>\s*<select id="period" name="period">/);
    assert.match(html, /<option value="24h" selected>/);
    assert.match(html, new RegExp(`href="/admin/venues/${org.venueId}/dashboard.csv\\?period=24h&amp;interval=1h"`));
  });

  it('follows the period and interval picked in the form', async () => {
    const html = (await as('owner').get(dashboard('?period=7d&interval=1d')).expect(200)).text;
    assert.match(html, /<option value="7d" selected>Last 7 days/);
    assert.match(html, /<option value="1d" selected>1 day/);
    const rows = (html.match(/<tr><th scope="row">/g) ?? []).length - 7;
    assert.ok(rows === 16 || rows === 18, `7 or 8 local days in each of the two time tables, got ${String(rows)}`);
  });

  it('shows a too-fine interval as an error next to the interval field', async () => {
    const res = await as('analyst').get(dashboard('?period=30d&interval=15m')).expect(400);
    assert.match(res.text, /<select id="interval" name="interval" aria-invalid="true" aria-describedby="interval-error">/);
    assert.match(res.text, /id="interval-error">That is 2880 intervals/);
    assert.doesNotMatch(res.text, /<svg/);
  });

  it('rejects values the form never offers', async () => {
    const res = await as('analyst').get(dashboard('?period=1y')).set('Accept', 'text/html').expect(400);
    assert.match(res.text, /period/);
  });

  it('serves the same hourly series as CSV', async () => {
    const res = await as('analyst').get(`/admin/venues/${org.venueId}/dashboard.csv?period=24h&interval=1h`).expect(200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="?footfall-[0-9a-f-]+-24h-1h\.csv"?$/);
    const lines = res.text.trim().split('\r\n');
    assert.equal(lines[0]?.startsWith('start,end,footfall,passersby,visitors'), true);
    assert.equal(lines.length, 1 + 24);
    const visitors = lines.slice(1).reduce((sum, line) => sum + Number(line.split(',')[4]), 0);
    assert.equal(visitors, 3);
  });

  it("answers 404 for another organisation's venue or an unknown one", async () => {
    await as('owner').get(`/admin/venues/${other.venueId}/dashboard`).expect(404);
    await as('owner').get(`/admin/venues/${other.venueId}/dashboard.csv`).expect(404);
    await as('owner').get(`/admin/venues/${randomUUID()}/dashboard`).expect(404);
  });
});
