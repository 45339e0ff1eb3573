import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createLogger } from '../../src/shared/logger.js';
import { buildTestApp, createTestContext, type TestContext } from '../helpers/context.js';
import { bearer, newOrg } from '../helpers/factories.js';

describe('request logs', () => {
  let ctx: TestContext;
  const lines: string[] = [];

  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  it('log method, path, status and request id, never the query string, credentials or cookies', async () => {
    const logger = createLogger('info', { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream);
    const { app } = buildTestApp(ctx.config, ctx.database, ctx.redis, logger);
    const org = await newOrg(ctx.services);
    const mac = 'A4-5E-60-E8-3B-11';
    await request(app).get(`/login?clientMac=${mac}&tok=secret-token`).set('Cookie', 'passby.sid=s%3Acookie-value').expect(200);
    await request(app).get('/api/v1/venues').set(bearer(org.apiKey)).set('X-Request-Id', 'trace-1').expect(200);

    const entries = lines.map((l) => JSON.parse(l) as { req?: { id: string; method: string; path: string }; res?: { statusCode: number } });
    const login = entries.find((e) => e.req?.path === '/login');
    assert.deepEqual(login?.req && { method: login.req.method, path: login.req.path }, { method: 'GET', path: '/login' });
    assert.equal(login?.res?.statusCode, 200);
    assert.ok(entries.some((e) => e.req?.id === 'trace-1'));
    const all = lines.join('\n');
    for (const secret of [mac, 'secret-token', 'cookie-value', org.apiKey]) assert.ok(!all.includes(secret), `log contains ${secret}`);
  });
});
