import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { buildTestApp, createTestContext, type TestContext } from '../helpers/context.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { csrfFrom } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';

function sessionCookie(res: request.Response): string | undefined {
  const cookies = res.headers['set-cookie'] as unknown as string[] | undefined;
  return cookies?.find((c) => c.startsWith('passby.sid='))?.split(';')[0];
}

describe('staff sign-in', () => {
  let ctx: TestContext;
  let org: TestOrg;

  before(async () => {
    ctx = await createTestContext();
    org = await newOrg(ctx.services, 'Sign-in Org');
    await ctx.services.organisations.createUser(org.orgId, { email: 'Owner@Example.com', role: 'owner', password: PASSWORD });
  });
  after(() => ctx.close());

  it('sends a signed-out visitor of /admin to the login page', async () => {
    const res = await request(ctx.app).get('/admin').expect(303);
    assert.equal(res.headers.location, '/login?next=%2Fadmin');
  });

  it('refuses a login form without the CSRF token', async () => {
    const agent = request.agent(ctx.app);
    await agent.get('/login').expect(200);
    const res = await agent.post('/login').type('form').send({ email: 'owner@example.com', password: PASSWORD }).set('Accept', 'text/html').expect(403);
    assert.match(res.text, /The form expired/);
  });

  it('says "wrong email or password" the same way for both mistakes', async () => {
    const agent = request.agent(ctx.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const wrongPassword = await agent.post('/login').type('form').send({ _csrf: token, email: 'owner@example.com', password: 'nope-nope-nope' }).expect(401);
    const unknown = await agent.post('/login').type('form').send({ _csrf: token, email: 'nobody@example.com', password: PASSWORD }).expect(401);
    assert.match(wrongPassword.text, /Wrong email or password/);
    assert.match(unknown.text, /Wrong email or password/);
  });

  it('signs in (case-insensitive email), renews the session id, shows the organisation, and signs out', async () => {
    const agent = request.agent(ctx.app);
    const page = await agent.get('/login?next=/admin');
    const token = csrfFrom(page.text);
    const before = sessionCookie(page);
    const login = await agent.post('/login').type('form').send({ _csrf: token, email: 'OWNER@example.com', password: PASSWORD, next: '/admin' }).expect(303);
    assert.equal(login.headers.location, '/admin');
    const after = sessionCookie(login);
    assert.ok(after && after !== before, 'a new session id after login (no session fixation)');

    const home = await agent.get('/admin').expect(200);
    assert.match(home.text, /Sign-in Org/);
    assert.match(home.text, /Sign-in Org venue/);

    const logout = await agent.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) }).expect(303);
    assert.equal(logout.headers.location, '/login');
    await agent.get('/admin').expect(303);
  });

  it('never redirects off-site after login', async () => {
    const agent = request.agent(ctx.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const res = await agent.post('/login').type('form').send({ _csrf: token, email: 'owner@example.com', password: PASSWORD, next: '//evil.example/x' }).expect(303);
    assert.equal(res.headers.location, '/admin');
  });

  it('keeps sessions in PostgreSQL, so a signed-in staff member survives a restart of the web process', async () => {
    const agent = request.agent(ctx.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const login = await agent.post('/login').type('form').send({ _csrf: token, email: 'owner@example.com', password: PASSWORD }).expect(303);
    const cookie = sessionCookie(login);
    assert.ok(cookie);
    const restarted = buildTestApp(ctx.config, ctx.database, ctx.redis).app;
    const home = await request(restarted).get('/admin').set('Cookie', cookie).expect(200);
    assert.match(home.text, /owner@example.com/);
  });
});
