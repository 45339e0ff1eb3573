import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SessionRepository, type StoredSession } from '../../src/analytics/metrics/session.repository.js';
import type { Role } from '../../src/tenancy/index.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { csrfFrom, signedInAgent } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';
const HOUR = 3600;
/** Three hours before the current hour: inside "the last 24 hours" whenever the test runs. */
const BASE = Math.floor(Date.now() / 1000 / HOUR) * HOUR - 3 * HOUR;

interface SessionSpec {
  device: string;
  start: number;
  minutes: number;
  kind?: StoredSession['kind'];
  zoneId?: string;
}

function session(orgId: string, venueId: string, spec: SessionSpec): StoredSession {
  const kind = spec.kind ?? 'visitor';
  return {
    orgId,
    venueId,
    device: spec.device.padStart(32, '0'),
    zoneId: spec.zoneId ?? null,
    start: spec.start,
    end: spec.start + spec.minutes * 60,
    strongSeconds: kind === 'visitor' ? spec.minutes * 60 : 0,
    probes: 10,
    maxRssi: kind === 'visitor' ? -50 : -80,
    kind,
    known: false,
  };
}

/** Local "YYYY-MM-DD HH:MM" in Europe/London, as staff type times into the counts CSV. */
const london = (epochSeconds: number): string =>
  new Date(epochSeconds * 1000).toLocaleString('sv-SE', { timeZone: 'Europe/London', hour12: false }).slice(0, 16);

/** The second venue's footfall per quarter hour from BASE - 2 h (2, 4, 1, 3): counts of twice that fit a factor of 2. */
const QUARTERS = [2, 4, 1, 3];
const Q0 = BASE - 2 * HOUR;
const countsCsv = (counts: readonly (number | string)[]): string =>
  ['start,end,count', ...counts.map((c, i) => `${london(Q0 + i * 900)},${london(Q0 + (i + 1) * 900)},${String(c)}`)].join('\n');

describe('admin analytics pages', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let other: TestOrg;
  let secondVenue: string;
  const zones = { entrance: '', cafe: '' };
  const agents = new Map<Role, request.Agent>();

  async function signIn(role: Role): Promise<request.Agent> {
    const email = `${role}@dash.example`;
    await ctx.services.organisations.createUser(org.orgId, { email, role, password: PASSWORD });
    return signedInAgent(ctx.app, email, PASSWORD);
  }
  const as = (role: Role): request.Agent => {
    const agent = agents.get(role);
    assert.ok(agent);
    return agent;
  };
  const dashboard = (query = ''): string => `/admin/venues/${org.venueId}/dashboard${query}`;
  const calibration = (venueId = secondVenue): string => `/admin/venues/${venueId}/calibration`;

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Dash org');
    other = await newOrg(ctx.services, 'Other org');
    zones.entrance = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Entrance' })).id;
    zones.cafe = (await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Café' })).id;
    secondVenue = (await ctx.services.venues.create(org.orgId, { name: 'Second venue', timezone: 'Europe/London' })).id;
    const now = Math.floor(Date.now() / 1000);
    const window = { from: now - 2 * 86_400, to: now + HOUR, doneUntil: undefined };
    const at = (venueId: string, spec: SessionSpec) => session(org.orgId, venueId, spec);
    const sessions = new SessionRepository(ctx.database.pool);
    await sessions.replaceWindow(org.orgId, org.venueId, window, [
      at(org.venueId, { device: 'a', start: BASE, minutes: 30 }),
      at(org.venueId, { device: 'b', start: BASE, minutes: 45 }),
      at(org.venueId, { device: 'c', start: BASE, minutes: 8 }),
      at(org.venueId, { device: 'd', start: BASE, minutes: 1, kind: 'passerby' }),
      // Entrance then café for a and b, café then entrance for c: routes 2 and 1.
      at(org.venueId, { device: 'a', start: BASE, minutes: 10, zoneId: zones.entrance }),
      at(org.venueId, { device: 'a', start: BASE + 700, minutes: 15, zoneId: zones.cafe }),
      at(org.venueId, { device: 'b', start: BASE, minutes: 5, zoneId: zones.entrance }),
      at(org.venueId, { device: 'b', start: BASE + 400, minutes: 30, zoneId: zones.cafe }),
      at(org.venueId, { device: 'c', start: BASE, minutes: 3, zoneId: zones.cafe }),
      at(org.venueId, { device: 'c', start: BASE + 240, minutes: 4, zoneId: zones.entrance }),
    ]);
    // The second venue: visitor a is shared with the first one; e1, e2, e3 are not; the f* pass by.
    const devices = [['a', 'e1'], ['e2', 'e3', 'f1', 'f2'], ['f3'], ['f4', 'f5', 'f6']];
    const second = devices.flatMap((list, q) =>
      list.map((device) => at(secondVenue, { device, start: Q0 + q * 900 + 60, minutes: 5, kind: device.startsWith('f') ? 'passerby' : 'visitor' })),
    );
    assert.deepEqual(devices.map((d) => d.length), QUARTERS);
    await sessions.replaceWindow(org.orgId, secondVenue, window, second);
    for (const role of ['owner', 'analyst', 'marketer'] as const) agents.set(role, await signIn(role));
  });
  after(() => ctx.close());

  describe('venue dashboard', () => {
    it('sends a signed-out visitor to the login page', async () => {
      for (const path of [dashboard(), '/admin/intersections', calibration()]) {
        const res = await request(ctx.app).get(path).expect(303);
        assert.equal(res.headers.location, `/login?next=${encodeURIComponent(path)}`);
      }
    });

    it('links each venue on the staff home to its dashboard, except for marketers', async () => {
      assert.match((await as('analyst').get('/admin').expect(200)).text, new RegExp(`href="${dashboard()}"`));
      assert.doesNotMatch((await as('marketer').get('/admin').expect(200)).text, /\/dashboard"/);
    });

    it('refuses marketers every analytics page with 403', async () => {
      for (const path of [dashboard(), `/admin/venues/${org.venueId}/dashboard.csv`, '/admin/intersections', calibration(), `${calibration()}/template.csv`]) {
        await as('marketer').get(path).expect(403);
      }
    });

    it('shows totals, occupancy, labelled SVG charts with data tables, routes and the period form to an analyst', async () => {
      const html = (await as('analyst').get(dashboard()).expect(200)).text;
      assert.match(html, /<h1>Dash org venue: dashboard<\/h1>/);
      assert.match(html, /<dt>Visitors<\/dt><dd>3<\/dd>/);
      assert.match(html, /<dt>Passers-by<\/dt><dd>1<\/dd>/);
      assert.match(html, /<dt>Capture rate<\/dt><dd>75\.0%<\/dd>/);
      assert.match(html, /<dt>Median dwell<\/dt><dd>30 min<\/dd>/);
      assert.match(html, /<dt>Bounce rate<\/dt><dd>0\.0%<\/dd>/);
      assert.match(html, /0 of 3 people who came inside left within 5 min/);
      assert.match(html, /<span class="big">0<\/span> visitors inside now/);
      assert.match(html, /As of \w{3} \d{1,2} \w{3}, \d\d:\d\d/);
      const charts = [...html.matchAll(/<svg [^>]*role="img" aria-label="([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(charts, [
        'Occupancy over time: visitors present',
        'Footfall over time: visitors and passers-by',
        'Capture rate over time',
        'Dwell time distribution (visits)',
        'New vs repeat visitors (devices)',
        'Visit frequency: days between visits (returns)',
        'Routes between zones: moves from one zone to the next',
      ]);
      assert.equal((html.match(/<details>/g) ?? []).length, 6);
      assert.equal((html.match(/<tr><th scope="row">/g) ?? []).length, 24 * 3 + 5 + 2 + 7, 'hourly occupancy, footfall and capture rows, dwell buckets, new/repeat, frequency bins');
      assert.match(html, /<th scope="row">5-20 min<\/th><td>1<\/td>/);
      assert.match(html, /<th scope="row">New<\/th><td>3<\/td>/);
      const routes = [...html.matchAll(/<tr class="route-row"><td>([^<]+)<\/td><td>([^<]+)<\/td><td>(\d+)<\/td><\/tr>/g)].map((m) => `${m[1]}>${m[2]}=${m[3]}`);
      assert.deepEqual(routes, ['Entrance>Café=2', 'Café>Entrance=1']);
      assert.match(html, /<label for="period">Period<\/label>\s*<select id="period" name="period">/);
      assert.match(html, /<option value="24h" selected>/);
      assert.match(html, /<label for="zone">Zone<\/label>\s*<select id="zone" name="zone">\s*<option value="">Whole venue<\/option>/);
      assert.match(html, new RegExp(`href="/admin/venues/${org.venueId}/dashboard.csv\\?period=24h&amp;interval=1h"`));
      assert.match(html, new RegExp(`href="/admin/venues/${org.venueId}/calibration">Calibrate with manual counts`));
    });

    it('follows the period and interval picked in the form', async () => {
      const html = (await as('owner').get(dashboard('?period=7d&interval=1d')).expect(200)).text;
      assert.match(html, /<option value="7d" selected>Last 7 days/);
      assert.match(html, /<option value="1d" selected>1 day/);
      const rows = (html.match(/<tr><th scope="row">/g) ?? []).length - 5 - 2 - 7;
      assert.ok(rows === 24 || rows === 27, `7 or 8 local days in each of the three time tables, got ${String(rows)}`);
    });

    it("narrows the dashboard to the zone picked, and answers 404 for another organisation's zone", async () => {
      const html = (await as('analyst').get(dashboard(`?zone=${zones.cafe}`)).expect(200)).text;
      assert.match(html, /<h2 id="totals-heading">Totals: Café<\/h2>/);
      assert.match(html, /<dt>Visitors<\/dt><dd>3<\/dd>/);
      assert.match(html, new RegExp(`<option value="${zones.cafe}" selected>Café</option>`));
      assert.match(html, new RegExp(`dashboard.csv\\?period=24h&amp;interval=1h&amp;zone=${zones.cafe}"`));
      assert.doesNotMatch(html, /class="route-row"/);
      const csv = await as('analyst').get(`/admin/venues/${org.venueId}/dashboard.csv?zone=${zones.entrance}`).expect(200);
      assert.equal(csv.text.trim().split('\r\n').slice(1).reduce((sum, line) => sum + Number(line.split(',')[4]), 0), 3);
      const foreign = await ctx.services.venues.createZone(other.orgId, other.venueId, { name: 'Theirs' });
      await as('analyst').get(dashboard(`?zone=${foreign.id}`)).expect(404);
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
      await as('analyst').get(dashboard('?zone=not-a-zone')).set('Accept', 'text/html').expect(400);
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
      for (const path of ['dashboard', 'dashboard.csv', 'calibration', 'calibration/template.csv']) {
        await as('owner').get(`/admin/venues/${other.venueId}/${path}`).expect(404);
      }
      await as('owner').get(`/admin/venues/${randomUUID()}/dashboard`).expect(404);
    });
  });

  describe('intersections', () => {
    it("shows each venue's share of visitors also seen at the other, as a table and a chart", async () => {
      const html = (await as('analyst').get('/admin/intersections').expect(200)).text;
      assert.match(html, /<option value="7d" selected>Last 7 days/);
      assert.match(html, /<svg [^>]*role="img" aria-label="Visitor overlap between venues[^"]*"/);
      const rows = [...html.matchAll(/<tr class="overlap-row"><th scope="row">([^<]+)<\/th><td class="num">(\d+)<\/td>(.*?)<\/tr>/g)].map((m) => [
        m[1],
        m[2],
        (m[3] ?? '').replace(/<[^>]+>/g, '|').replace(/\|+/g, '|'),
      ]);
      assert.deepEqual(rows, [
        ['Dash org venue', '3', '|—|1 (33.3%)|'],
        ['Second venue', '4', '|1 (25.0%)|—|'],
      ]);
      assert.doesNotMatch(html, /Other org/);
    });

    it('follows the period picked and rejects one the form never offers', async () => {
      const html = (await as('owner').get('/admin/intersections?period=24h').expect(200)).text;
      assert.match(html, /<option value="24h" selected>/);
      await as('owner').get('/admin/intersections?period=2y').set('Accept', 'text/html').expect(400);
    });
  });

  describe('calibration', () => {
    it('shows the upload form with labelled fields and a CSV template', async () => {
      const html = (await as('analyst').get(calibration()).expect(200)).text;
      for (const field of ['kind', 'method', 'calibrateUntil', 'counts', 'counts-file']) assert.match(html, new RegExp(`<label for="${field}">`));
      assert.match(html, /No manual counts uploaded yet/);
      const template = await as('analyst').get(`${calibration()}/template.csv`).expect(200);
      assert.match(String(template.headers['content-type']), /^text\/csv/);
      const lines = template.text.trim().split('\r\n');
      assert.equal(lines[0], 'start,end,count');
      assert.equal(lines.length, 5);
      assert.match(lines[1] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d,\d{4}-\d\d-\d\d \d\d:\d\d,$/);
    });

    it('refuses a post without the CSRF token, and a marketer', async () => {
      await as('analyst').post(calibration()).type('form').send({ kind: 'footfall', counts: countsCsv([4, 8, 2, 6]) }).set('Accept', 'text/html').expect(403);
      const token = csrfFrom((await as('marketer').get('/admin').expect(200)).text);
      await as('marketer').post(calibration()).type('form').send({ _csrf: token, kind: 'footfall', counts: countsCsv([4, 8, 2, 6]) }).expect(403);
      assert.deepEqual(await ctx.services.calibration.list(org.orgId, secondVenue), []);
    });

    it('lists every bad line next to the counts field and keeps what was typed', async () => {
      const token = csrfFrom((await as('analyst').get(calibration()).expect(200)).text);
      const typed = countsCsv([4, 'lots', 2, -1]);
      const res = await as('analyst').post(calibration()).type('form').send({ _csrf: token, kind: 'occupancy', method: 'factor', calibrateUntil: '', counts: typed }).expect(400);
      assert.match(res.text, /<textarea id="counts" name="counts"[^>]*aria-describedby="counts-hint counts-error" aria-invalid="true">/);
      assert.match(res.text, /<li>Line 3: the count &quot;lots&quot; is not a number of people \(0 or more\)\.<\/li>/);
      assert.match(res.text, /<li>Line 5: the count &quot;-1&quot; is not a number of people/);
      assert.ok(res.text.includes(typed.split('\n')[2] ?? '?'), 'the typed counts are kept');
      assert.match(res.text, /<option value="occupancy" selected>/);
      assert.match(res.text, /<option value="factor" selected>/);
      const until = await as('analyst').post(calibration()).type('form').send({ _csrf: token, kind: 'footfall', calibrateUntil: london(Q0 - HOUR), counts: countsCsv([4, 8, 2, 6]) }).expect(400);
      assert.match(until.text, /id="until-error">No count ends before this time/);
      assert.deepEqual(await ctx.services.calibration.list(org.orgId, secondVenue), []);
    });

    it('fits the counts, shows the factor and the error per stage, and the dashboard uses it', async () => {
      const token = csrfFrom((await as('analyst').get(calibration()).expect(200)).text);
      const res = await as('analyst').post(calibration()).type('form').send({ _csrf: token, kind: 'footfall', method: 'auto', calibrateUntil: '', counts: countsCsv([4, 8, 2, 6]) }).expect(303);
      assert.equal(res.headers.location, `${calibration()}?uploaded=footfall#footfall-result`);
      const [stored] = await ctx.services.calibration.list(org.orgId, secondVenue);
      assert.ok(stored);
      assert.equal(stored.counts.length, 4);
      assert.equal(stored.report.intervalSeconds, 900);
      assert.deepEqual(stored.fit, { method: 'factor', factor: 2, n: 4 });
      const html = (await as('analyst').get(`${calibration()}?uploaded=footfall`).expect(200)).text;
      assert.match(html, /role="status">The footfall counts were uploaded and fitted/);
      assert.match(html, /<dd class="fit">Factor × 2<\/dd>/);
      const stages = [...html.matchAll(/<tr class="stage-row"><th scope="row">([^<]+)<\/th><td class="num">([^<]+)<\/td>/g)].map((m) => `${m[1]}: ${m[2]}`);
      assert.deepEqual(stages, ['Raw estimate: 50.0%', 'Calibrated: 0.0%']);
      assert.match(html, /<svg [^>]*role="img" aria-label="Footfall: error before and after calibration \(MAPE, %\)"/);
      assert.match(html, /<tr class="upload-row"><th scope="row">Footfall<\/th>/);
      const counts = await as('analyst').get(`${calibration()}/footfall.csv`).expect(200);
      assert.equal(counts.text.trim().replace(/\r\n/g, '\n'), countsCsv([4, 8, 2, 6]));
      await as('analyst').get(`${calibration()}/occupancy.csv`).expect(404);
      const dash = (await as('analyst').get(`/admin/venues/${secondVenue}/dashboard`).expect(200)).text;
      assert.match(dash, /<dt>Calibrated footfall<\/dt><dd>20<\/dd>/);
      assert.doesNotMatch(dash, /Calibrated \(people\)/);
    });

    it('adds the calibrated occupancy to the occupancy chart and table once occupancy counts are fitted', async () => {
      const token = csrfFrom((await as('owner').get(calibration()).expect(200)).text);
      // Two visitors present for a third of each of the first two quarter hours: 0.67 on average; counted 2, a factor of 3.
      await as('owner').post(calibration()).type('form').send({ _csrf: token, kind: 'occupancy', method: 'factor', counts: countsCsv([2, 2, 0, 0]) }).expect(303);
      const dash = (await as('owner').get(`/admin/venues/${secondVenue}/dashboard`).expect(200)).text;
      assert.match(dash, /<th scope="col">Visitors present<\/th><th scope="col">Calibrated \(people\)<\/th>/);
      assert.match(dash, /<g class="legend">.*>Visitors present<\/text>.*>Calibrated \(people\)<\/text>/);
      // That hour: four visitors present 5 minutes each, 0.33; the factor is 2 / 0.67 (estimates are kept to 2 decimals).
      assert.deepEqual(dash.match(/<td>0\.\d+<\/td><td>[^<]*<\/td><\/tr>/g), ['<td>0.33</td><td>0.99</td></tr>']);
      assert.match(dash, /, about 0 people \(calibrated\)/);
      const html = (await as('owner').get(calibration()).expect(200)).text;
      assert.deepEqual([...html.matchAll(/<tr class="upload-row"><th scope="row">(\w+)<\/th>/g)].map((m) => m[1]), ['Footfall', 'Occupancy']);
    });

    it("answers 404 to a post for another organisation's venue", async () => {
      const token = csrfFrom((await as('owner').get(calibration()).expect(200)).text);
      await as('owner').post(calibration(other.venueId)).type('form').send({ _csrf: token, kind: 'footfall', counts: countsCsv([4, 8, 2, 6]) }).set('Accept', 'text/html').expect(404);
      assert.deepEqual(await ctx.services.calibration.list(other.orgId, other.venueId), []);
    });
  });
});
