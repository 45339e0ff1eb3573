import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Express } from 'express';
import supertest from 'supertest';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import type { Services } from '../../src/services.js';
import { createLogger } from '../../src/shared/logger.js';
import { startFakeOmada, type FakeOmada } from '../fakes/omada.server.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.server.js';
import { csrfFrom } from '../helpers/admin-forms.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { bearer, newOrg, type TestOrg } from '../helpers/factories.js';
import { fakeTwilioEnv, newOmadaGateway, signInWithCode, type PortalTestContext } from '../helpers/portal.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';

/** Every line the app logs, at trace level, as written (after pino's redaction). */
class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    done();
  }
}

/** A MAC as a gateway or sensor may write it: colons, dashes, bare hex, either case. */
const macForms = (mac: string): string[] => {
  const hex = mac.replace(/[^0-9a-f]/gi, '').toLowerCase();
  const pairs = hex.match(/../g) ?? [];
  return [pairs.join(':'), pairs.join('-'), hex].flatMap((m) => [m, m.toUpperCase()]);
};

describe('security: secrets and personal data stay out of the logs', () => {
  let database: TestDatabase;
  let redis: RedisFactory;
  let twilio: FakeTwilio;
  let omada: FakeOmada;
  let app: Express;
  let services: Services;
  let org: TestOrg;
  let dataDir = '';
  const prefix = testPrefix();
  const capture = new Capture();

  before(async () => {
    [database, twilio, omada] = await Promise.all([createTestDatabase(), startFakeTwilio(), startFakeOmada()]);
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'trace', TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', ...fakeTwilioEnv(twilio) });
    dataDir = config.dataDir;
    redis = createRedisFactory(TEST_REDIS_URL);
    ({ app, services } = buildTestApp(config, database, redis.create('client'), createLogger('trace', capture)));
    org = await newOrg(services);
  });
  after(async () => {
    await Promise.all([twilio.close(), omada.close()]);
    await redis.closeAll();
    await deletePrefix(prefix);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs none of the codes, keys, faskeys, webhook secrets, sensor tokens, cookies, MACs or phone numbers it handled', async () => {
    const secrets: Record<string, string[]> = {};
    const keep = (what: string, ...values: (string | undefined)[]) => {
      for (const value of values) {
        assert.ok(value && value.length >= 6, `${what}: got a value to look for`);
        (secrets[what] ??= []).push(value);
      }
    };

    // A guest signs in with an SMS code (wrong code first, so the error path logs too).
    const gatewayId = await newOmadaGateway(services, org.orgId, org.venueId, omada);
    const guestMac = '02-5E-C0-FF-EE-42';
    const phone = '+447400880042';
    const portalCtx = { app, twilio, gatewayId } as unknown as PortalTestContext;
    const { final } = await signInWithCode(portalCtx, { mac: guestMac, phone });
    assert.ok([302, 303].includes(final.status), `sign-in ended with ${final.status}`);
    keep('phone', phone, phone.slice(1), '07400880042', '7400880042');
    keep('mac', ...macForms(guestMac));
    const codes = twilio.requests.filter((r) => r.path.endsWith('/VerificationCheck')).map((r) => r.form.Code);
    keep('otp code', ...codes);

    // The organisation API: a good key, a bad key, a gateway (faskey), a webhook endpoint (whsec_), a sensor (token).
    keep('api key', org.apiKey);
    await supertest(app).get('/api/v1/venues').set(bearer(org.apiKey)).expect(200);
    await supertest(app).get('/api/v1/venues').set(bearer(`${org.apiKey.slice(0, -4)}xxxx`)).expect(401);
    const gateway = await supertest(app).post('/api/v1/gateways').set(bearer(org.apiKey)).send({ kind: 'opennds', venueId: org.venueId, name: 'Door AP' }).expect(201);
    keep('faskey', (gateway.body as { secrets?: { faskey?: string }; faskey?: string }).secrets?.faskey ?? (gateway.body as { faskey?: string }).faskey);
    const endpoint = await supertest(app).post('/api/v1/webhook-endpoints').set(bearer(org.apiKey)).send({ url: 'http://127.0.0.1:9/hooks' }).expect(201);
    keep('webhook secret', (endpoint.body as { secret: string }).secret);
    const sensor = await supertest(app).post('/api/v1/sensors').set(bearer(org.apiKey)).send({ venueId: org.venueId, name: 'Door' }).expect(201);
    const token = (sensor.body as { token: string }).token;
    keep('sensor token', token);

    // A sensor sends probes carrying raw MACs (one malformed record too, so rejections log).
    const probeMac = '02:00:5e:10:20:30';
    keep('mac', ...macForms(probeMac));
    const ts = Date.now() / 1000;
    const body = [{ ts, mac: probeMac, rssi: -60 }, { ts, mac: '02:00:5e:10:20:3', rssi: -60 }].map((r) => JSON.stringify(r)).join('\n') + '\n';
    const ingest = await supertest(app).post('/api/v1/ingest/probes').set({ ...bearer(token), 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': 'logs-batch-1' }).serialize((d: string) => d).send(body);
    assert.equal(ingest.status, 202, ingest.text);

    // Staff sign in (session cookie) and open a page.
    await services.organisations.createUser(org.orgId, { email: 'owner@logs.example', role: 'owner', password: 'logs-password-long' });
    const agent = supertest.agent(app);
    const loginPage = await agent.get('/login');
    const login = await agent.post('/login').type('form').send({ _csrf: csrfFrom(loginPage.text), email: 'owner@logs.example', password: 'logs-password-long' }).expect(303);
    const cookie = (login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('passby.sid='))?.split(';')[0]?.split('=')[1];
    keep('session cookie', cookie, decodeURIComponent(cookie ?? ''));
    keep('password', 'logs-password-long');
    await agent.get('/admin').expect(200);

    assert.ok(capture.lines.length >= 10, `captured ${capture.lines.length} log lines`);
    const found = Object.entries(secrets).flatMap(([what, values]) =>
      values.flatMap((value) => capture.lines.filter((line) => line.includes(value)).map((line) => `${what} "${value}" in: ${line.slice(0, 300)}`)),
    );
    assert.deepEqual(found, []);
  });
});
