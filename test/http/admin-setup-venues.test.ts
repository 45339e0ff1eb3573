import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { PortalVenueSettings } from '../../src/portal/portal.settings.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';
import { csrfFrom, signedInAgent } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';
type Agent = ReturnType<typeof request.agent>;

/** The error paragraph the page shows under a field, by the field's id. */
const fieldError = (html: string, id: string): string | undefined => new RegExp(`<p class="vs-field-error" id="${id}-error">([^<]*)</p>`).exec(html)?.[1];

const HOURS = { 'hours-mon': '9:00-17:30, 18:00-22:00', 'hours-tue': '', 'hours-wed': '', 'hours-thu': '', 'hours-fri': '10:00-23:00', 'hours-sat': '', 'hours-sun': '' };

describe('admin venue set-up pages', () => {
  let ctx: TestContext;
  let org: TestOrg;
  let rival: TestOrg;
  let owner: Agent;
  let marketer: Agent;
  let analyst: Agent;
  let rivalOwner: Agent;
  let token: string;

  const signIn = (email: string): Promise<Agent> => signedInAgent(ctx.app, email, PASSWORD);

  const form = (fields: Record<string, string>) => ({ _csrf: token, ...fields });
  /** The venue's portal settings as the JSON API (the same settings service) reads them. */
  const portalSettings = async (venueId: string): Promise<PortalVenueSettings> =>
    (await request(ctx.app).get(`/api/v1/venues/${venueId}/portal`).set(bearer(org.apiKey)).expect(200)).body as PortalVenueSettings;

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Venues Org');
    rival = await newOrg(ctx.services, 'Rival Venues Org');
    const users = ctx.services.organisations;
    await users.createUser(org.orgId, { email: 'owner@venues.example', role: 'owner', password: PASSWORD });
    await users.createUser(org.orgId, { email: 'marketer@venues.example', role: 'marketer', password: PASSWORD });
    await users.createUser(org.orgId, { email: 'analyst@venues.example', role: 'analyst', password: PASSWORD });
    await users.createUser(rival.orgId, { email: 'owner@rival-venues.example', role: 'owner', password: PASSWORD });
    owner = await signIn('owner@venues.example');
    marketer = await signIn('marketer@venues.example');
    analyst = await signIn('analyst@venues.example');
    rivalOwner = await signIn('owner@rival-venues.example');
    token = csrfFrom((await owner.get('/admin').expect(200)).text);
  });
  after(() => ctx.close());

  it('lists venues on the home page with settings links and "New venue" for owners only', async () => {
    const home = (await owner.get('/admin').expect(200)).text;
    assert.match(home, /aria-label="Dashboard for Venues Org venue"/);
    assert.match(home, new RegExp(`href="/admin/venues/${org.venueId}/settings" aria-label="Settings for Venues Org venue"`));
    assert.match(home, /href="\/admin\/venues\/new">New venue</);
    const analystHome = (await analyst.get('/admin').expect(200)).text;
    assert.match(analystHome, /Dashboard for Venues Org venue/);
    assert.doesNotMatch(analystHome, /Settings for|New venue/);
    assert.doesNotMatch((await marketer.get('/admin').expect(200)).text, /Settings for|Dashboard for|New venue/);

    const { organisation } = await ctx.services.organisations.createOrganisation('Empty Org');
    await ctx.services.organisations.createUser(organisation.id, { email: 'owner@empty.example', role: 'owner', password: PASSWORD });
    const empty = (await (await signIn('owner@empty.example')).get('/admin').expect(200)).text;
    assert.match(empty, /No venues yet/);
    assert.match(empty, /href="\/admin\/venues\/new">Create your first venue</);
  });

  it('keeps venue set-up to owners: other roles get 403, signed-out visitors the login page', async () => {
    const pages = ['/admin/venues/new', `/admin/venues/${org.venueId}/settings`, `/admin/venues/${org.venueId}/zones`, `/admin/venues/${org.venueId}/portal`, `/admin/venues/${org.venueId}/portal/preview`];
    for (const path of pages) {
      assert.match((await marketer.get(path).expect(403)).text, /owner role/, path);
      await analyst.get(path).expect(403);
    }
    const analystToken = csrfFrom((await analyst.get('/admin').expect(200)).text);
    await analyst.post(`/admin/venues/${org.venueId}/delete`).type('form').send({ _csrf: analystToken }).expect(403);
    const signedOut = await request(ctx.app).get(`/admin/venues/${org.venueId}/settings`).expect(303);
    assert.equal(signedOut.headers.location, `/login?next=${encodeURIComponent(`/admin/venues/${org.venueId}/settings`)}`);
    await owner.get(`/admin/venues/${org.venueId}/settings`).expect(200);
  });

  it('refuses a POST without the CSRF token and creates nothing', async () => {
    await owner.post('/admin/venues').type('form').send({ name: 'No token', timezone: 'Europe/London' }).set('Accept', 'text/html').expect(403);
    const names = (await ctx.services.venues.list(org.orgId)).map((v) => v.name);
    assert.ok(!names.includes('No token'));
  });

  it('shows each problem next to its field, keeps the input, and saves nothing', async () => {
    const res = await owner
      .post('/admin/venues')
      .type('form')
      .send(form({ name: '  ', timezone: 'Mars/Olympus', address: '1 High St', ...HOURS, 'hours-tue': '9am to 5pm', 'hours-fri': '18:00-02:00' }))
      .expect(400);
    assert.equal(fieldError(res.text, 'name'), 'must not be empty');
    assert.match(fieldError(res.text, 'timezone') ?? '', /IANA time zone/);
    assert.match(fieldError(res.text, 'hours-tue') ?? '', /“9am to 5pm” is not an interval/);
    assert.equal(fieldError(res.text, 'hours-fri'), 'opening time must be before closing time');
    assert.equal(fieldError(res.text, 'hours-mon'), undefined);
    assert.match(res.text, /id="hours-tue" name="hours-tue" value="9am to 5pm"/);
    assert.match(res.text, /value="1 High St"/);
    assert.match(res.text, /<option selected>Mars\/Olympus<\/option>/);
    assert.equal((await ctx.services.venues.list(org.orgId)).length, 1);
  });

  it('creates a venue with two intervals on a day and opens its settings page', async () => {
    const res = await owner.post('/admin/venues').type('form').send(form({ name: 'Harbour Café', timezone: 'Europe/Paris', address: 'Quai 1', ...HOURS })).expect(303);
    const venue = (await ctx.services.venues.list(org.orgId)).find((v) => v.name === 'Harbour Café');
    assert.ok(venue);
    assert.equal(res.headers.location, `/admin/venues/${venue.id}/settings?done=created`);
    assert.deepEqual(venue.openingHours, { mon: [['09:00', '17:30'], ['18:00', '22:00']], fri: [['10:00', '23:00']] });
    assert.equal(venue.timezone, 'Europe/Paris');
    const page = (await owner.get(res.headers.location).expect(200)).text;
    assert.match(page, /The venue was created/);
    assert.match(page, /id="hours-mon" name="hours-mon" value="09:00-17:30, 18:00-22:00"/);
    assert.match(page, /<option selected>Europe\/Paris<\/option>/);
  });

  it('edits the details and the analytics settings, each with messages next to its fields', async () => {
    const venue = await ctx.services.venues.create(org.orgId, { name: 'Edit me', timezone: 'Europe/London' });
    const base = `/admin/venues/${venue.id}`;
    await owner.post(`${base}/settings`).type('form').send(form({ name: 'Edited', timezone: 'Europe/Berlin', address: '', ...HOURS, 'hours-sun': '12:00-16:00' })).expect(303);
    const edited = await ctx.services.venues.get(org.orgId, venue.id);
    assert.equal(edited.name, 'Edited');
    assert.deepEqual(edited.openingHours.sun, [['12:00', '16:00']]);

    const analytics = { visitorRssi: '-10', visitorMinDwellSeconds: '300', sessionTimeoutSeconds: '900', minVisitSeconds: '60', bounceSeconds: '300', dwellThresholdsMinutes: '5, x' };
    const bad = await owner.post(`${base}/analytics`).type('form').send(form(analytics)).expect(400);
    assert.match(fieldError(bad.text, 'visitorRssi') ?? '', /-20/);
    assert.ok(fieldError(bad.text, 'dwellThresholdsMinutes'));
    assert.match(bad.text, /id="dwellThresholdsMinutes" name="dwellThresholdsMinutes" value="5, x"/);
    const good = await owner.post(`${base}/analytics`).type('form').send(form({ ...analytics, visitorRssi: '-65', dwellThresholdsMinutes: '10, 45' })).expect(303);
    assert.equal(good.headers.location, `${base}/settings?done=analytics`);
    const saved = await ctx.services.analyticsSettings.settingsFor(org.orgId, venue.id);
    assert.equal(saved.visitorRssi, -65);
    assert.deepEqual(saved.dwellThresholdsMinutes, [10, 45]);
  });

  it("keeps organisations apart: another organisation's venue and zones are not found", async () => {
    const zone = await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Kept' });
    const rivalToken = csrfFrom((await rivalOwner.get('/admin').expect(200)).text);
    for (const path of ['settings', 'zones', 'portal', 'portal/preview', 'delete']) {
      await rivalOwner.get(`/admin/venues/${org.venueId}/${path}`).set('Accept', 'text/html').expect(404);
    }
    const post = (path: string, body: Record<string, string> = {}) => rivalOwner.post(path).type('form').send({ _csrf: rivalToken, ...body }).set('Accept', 'text/html');
    await post(`/admin/venues/${org.venueId}/settings`, { name: 'Taken', timezone: 'Europe/London' }).expect(404);
    await post(`/admin/venues/${org.venueId}/portal`, { primaryColour: '#000000' }).expect(404);
    await post(`/admin/venues/${org.venueId}/delete`).expect(404);
    await post(`/admin/venues/${rival.venueId}/zones/${zone.id}/delete`).expect(404);
    assert.equal((await ctx.services.venues.get(org.orgId, org.venueId)).name, 'Venues Org venue');
    assert.equal((await ctx.services.venues.getZone(org.orgId, zone.id)).name, 'Kept');
  });

  it('adds zones, refuses a blank or duplicate name next to the field, and deletes a zone', async () => {
    const venue = await ctx.services.venues.create(org.orgId, { name: 'Zoned', timezone: 'Europe/London' });
    const base = `/admin/venues/${venue.id}/zones`;
    assert.match((await owner.get(base).expect(200)).text, /No zones yet/);
    assert.equal((await owner.post(base).type('form').send(form({ name: 'Entrance' })).expect(303)).headers.location, `${base}?done=added`);
    const duplicate = await owner.post(base).type('form').send(form({ name: 'Entrance' })).expect(409);
    assert.match(fieldError(duplicate.text, 'zone-name') ?? '', /already has a zone with this name/);
    assert.match(duplicate.text, /id="zone-name" class="vs-narrow" name="name" value="Entrance"/);
    assert.equal(fieldError((await owner.post(base).type('form').send(form({ name: ' ' })).expect(400)).text, 'zone-name'), 'must not be empty');

    const [zone] = await ctx.services.venues.listZones(org.orgId, venue.id);
    assert.ok(zone);
    assert.match((await owner.get(base).expect(200)).text, /aria-label="Delete zone Entrance"/);
    // A zone is deleted only through its own venue's page.
    await owner.post(`/admin/venues/${org.venueId}/zones/${zone.id}/delete`).type('form').send(form({})).set('Accept', 'text/html').expect(404);
    await owner.post(`${base}/${zone.id}/delete`).type('form').send(form({})).expect(303);
    assert.deepEqual(await ctx.services.venues.listZones(org.orgId, venue.id), []);
  });

  it('deletes a venue only after the confirmation page, with the CSRF token', async () => {
    const venue = await ctx.services.venues.create(org.orgId, { name: 'Closing down', timezone: 'Europe/London' });
    await ctx.services.venues.createZone(org.orgId, venue.id, { name: 'Bar' });
    const confirm = (await owner.get(`/admin/venues/${venue.id}/delete`).expect(200)).text;
    assert.match(confirm, /<li>1 zone\(s\)<\/li>/);
    assert.match(confirm, /Delete Closing down and its data/);
    await owner.post(`/admin/venues/${venue.id}/delete`).type('form').send({}).set('Accept', 'text/html').expect(403);
    await ctx.services.venues.get(org.orgId, venue.id);
    const done = await owner.post(`/admin/venues/${venue.id}/delete`).type('form').send(form({})).expect(303);
    assert.equal(done.headers.location, '/admin?done=venue-deleted');
    assert.match((await owner.get('/admin?done=venue-deleted').expect(200)).text, /The venue was deleted/);
    await owner.get(`/admin/venues/${venue.id}/settings`).set('Accept', 'text/html').expect(404);
  });

  const PORTAL = {
    primaryColour: '#0a7d5a', backgroundColour: '#f6f7f8', textColour: '#1d2327', logoUrl: '', termsUrl: '', landingUrl: '', sessionMinutes: '1440',
    uploadKbps: '', downloadKbps: '', uploadQuotaKb: '', downloadQuotaKb: '', 'en-title': '', 'en-welcome': '', 'en-terms': '', 'en-smsMarketing': '',
    'en-crmSharing': '', 'ru-title': '', 'ru-welcome': '', 'ru-terms': '', 'ru-smsMarketing': '', 'ru-crmSharing': '',
  };

  it('saves the portal look and texts, with messages next to bad fields and a consent version reminder', async () => {
    const venue = await ctx.services.venues.create(org.orgId, { name: 'Branded', timezone: 'Europe/London' });
    const base = `/admin/venues/${venue.id}/portal`;
    const page = (await owner.get(base).expect(200)).text;
    assert.match(page, /<label for="en-smsMarketing">/);
    assert.match(page, /<iframe name="portal-preview" title="Portal preview" src="\/admin\/venues\/[^"]+\/portal\/preview\?previewPage&#x3D;phone&amp;previewLang&#x3D;en"/);
    assert.match(page, /now <code>passby-default-1<\/code>/);

    const bad = await owner.post(base).type('form').send(form({ ...PORTAL, primaryColour: 'red', logoUrl: 'http://logo.example/a.png', sessionMinutes: '1', 'en-title': 'Kept title' })).expect(400);
    assert.match(fieldError(bad.text, 'primaryColour') ?? '', /expected a colour/);
    assert.match(fieldError(bad.text, 'logoUrl') ?? '', /https:\/\//);
    assert.ok(fieldError(bad.text, 'sessionMinutes'));
    assert.match(bad.text, /id="en-title" name="en-title" lang="en" value="Kept title"/);
    assert.match(bad.text, /id="primaryColour" name="primaryColour" value="red"/);

    const drafts = { primaryColour: '#c2185b', 'en-title': 'Harbour Wi-Fi', 'ru-smsMarketing': 'Присылайте мне предложения', loyaltyForm: 'yes', downloadKbps: '2048' };
    const saved = await owner.post(base).type('form').send(form({ ...PORTAL, ...drafts })).expect(303);
    assert.equal(saved.headers.location, `${base}?done=saved&consent=changed`);
    const settings = await portalSettings(venue.id);
    assert.equal(settings.branding.primaryColour, '#c2185b');
    assert.deepEqual(settings.texts, { en: { title: 'Harbour Wi-Fi' }, ru: { smsMarketing: 'Присылайте мне предложения' } });
    assert.equal(settings.loyaltyForm, true);
    assert.deepEqual(settings.session, { minutes: 1440, downloadKbps: 2048 });
    assert.match((await owner.get(saved.headers.location).expect(200)).text, /You changed a text visitors consent to/);
    const again = await owner.post(base).type('form').send(form({ ...PORTAL, ...drafts, 'en-title': 'Other title' })).expect(303);
    assert.equal(again.headers.location, `${base}?done=saved`, 'a title is not a consent text');
  });

  it('previews the real portal page with draft values, falling back to saved ones for invalid or missing drafts', async () => {
    const venue = await ctx.services.venues.create(org.orgId, { name: 'Preview Bar', timezone: 'Europe/London' });
    await request(ctx.app)
      .put(`/api/v1/venues/${venue.id}/portal`)
      .set(bearer(org.apiKey))
      .send({ branding: { primaryColour: '#123456' }, texts: { en: { title: 'Saved title' } } })
      .expect(200);
    const preview = `/admin/venues/${venue.id}/portal/preview`;
    const res = await owner.get(preview).query({ primaryColour: '#c2185b', 'en-welcome': 'Draft welcome' }).expect(200);
    assert.match(res.text, /--p:#c2185b;/);
    assert.match(res.text, /<h1>Saved title<\/h1>/, 'a field missing from the query keeps its saved value');
    assert.match(res.text, /Draft welcome/);
    assert.match(res.text, /<label for="phone">Mobile number<\/label>/);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /frame-ancestors 'self'/);
    assert.match(csp, /form-action 'none'/);
    assert.match(csp, /img-src 'self' https: data:/, 'an https logo loads as it does on the real portal');

    const invalid = await owner.get(preview).query({ primaryColour: 'nope', logoUrl: 'javascript:alert(1)', 'en-title': 'Draft title' }).expect(200);
    assert.match(invalid.text, /--p:#123456;/);
    assert.doesNotMatch(invalid.text, /javascript:/);
    assert.match(invalid.text, /<h1>Draft title<\/h1>/);

    const consent = await owner.get(preview).query({ previewPage: 'consent', previewLang: 'ru', 'ru-crmSharing': 'Делиться с программой' }).expect(200);
    assert.match(consent.text, /<html lang="ru">/);
    assert.match(consent.text, /Делиться с программой/);
    assert.match(consent.text, /\/portal\/preview\?previewPage&#x3D;consent&amp;previewLang&#x3D;en&amp;[^"]*" lang="en">English</, 'the language link stays inside the preview');

    // Without JavaScript, the Preview button posts the whole form into the iframe.
    const posted = await owner.post(preview).type('form').send(form({ ...PORTAL, primaryColour: '#00ff00' })).expect(200);
    assert.match(posted.text, /--p:#00ff00;/);
  });
});
