import type { Express } from 'express';
import type { Redis } from 'ioredis';
import supertest from 'supertest';
import { createRedisFactory } from '../../src/queue/connection.js';
import type { Services } from '../../src/services.js';
import { startFakeOmada, type FakeOmada } from '../fakes/omada.server.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.server.js';
import { buildTestApp, testConfig } from './context.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_REDIS_URL } from './env.js';
import { newOrg, type TestOrg } from './factories.js';
import { deletePrefix, testPrefix } from './redis.js';

export const VERIFY_SID = `VA${'0'.repeat(32)}`;

/** Environment that points the real Twilio SDK at a local fake (Verify for codes). */
export function fakeTwilioEnv(twilio: FakeTwilio): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_VERIFY_SERVICE_SID: VERIFY_SID,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: twilio.url,
  };
}

export interface PortalTestContext {
  app: Express;
  services: Services;
  database: TestDatabase;
  redis: Redis;
  twilio: FakeTwilio;
  omada: FakeOmada;
  org: TestOrg;
  /** An Omada AP gateway in the org's venue. */
  gatewayId: string;
  close(): Promise<void>;
}

/** The real app with Twilio and an Omada controller faked at their HTTP edges. */
export async function createPortalTestContext(env: Record<string, string> = {}): Promise<PortalTestContext> {
  const [database, twilio, omada] = await Promise.all([createTestDatabase(), startFakeTwilio(), startFakeOmada()]);
  const prefix = testPrefix();
  const config = testConfig({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    ...fakeTwilioEnv(twilio),
    ...env,
  });
  const factory = createRedisFactory(TEST_REDIS_URL);
  const redis = factory.create('client');
  const { app, services } = buildTestApp(config, database, redis);
  const org = await newOrg(services);
  const gatewayId = await newOmadaGateway(services, org.orgId, org.venueId, omada);
  return {
    app,
    services,
    database,
    redis,
    twilio,
    omada,
    org,
    gatewayId,
    async close() {
      await Promise.all([twilio.close(), omada.close()]);
      await factory.closeAll();
      await deletePrefix(prefix);
      await database.drop();
    },
  };
}

export async function newOmadaGateway(services: Services, orgId: string, venueId: string, omada: FakeOmada): Promise<string> {
  const { gateway } = await services.gateways.create(orgId, {
    kind: 'omada',
    venueId,
    name: `AP ${Math.random().toString(16).slice(2, 6)}`,
    controllerUrl: omada.url,
    operatorUsername: omada.operator.name,
    operatorPassword: omada.operator.password,
    caCertPem: omada.caCertPem,
  });
  return gateway.id;
}

/** The query an Omada controller puts on the redirect to an external portal (AP portal). */
export function omadaLanding(clientMac: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    clientMac,
    apMac: 'AC-84-C6-11-22-33',
    ssidName: 'Guest',
    radioId: '1',
    site: 'Default',
    t: '1700000000000',
    redirectUrl: 'http://example.com/wanted',
    ...extra,
  };
}

/** Pulls the flow id and CSRF token out of a rendered portal page. */
export function formOf(html: string): { flowId: string; csrf: string } {
  const flowId = /action="\/portal\/f\/([A-Za-z0-9_-]{24})\//.exec(html)?.[1];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!flowId || !csrf) throw new Error(`No portal form in page:\n${html.slice(0, 2000)}`);
  return { flowId, csrf };
}

/** Walks a new device through phone + code + consent; returns the final response (a redirect onwards). */
export async function signInWithCode(
  ctx: PortalTestContext,
  options: { gatewayId?: string; mac: string; phone: string; consents?: Record<string, string>; lang?: string },
): Promise<{ flowId: string; final: supertest.Response }> {
  const agent = supertest(ctx.app);
  const landing = await agent
    .get(`/portal/omada/${options.gatewayId ?? ctx.gatewayId}`)
    .query(omadaLanding(options.mac))
    .set('Accept-Language', options.lang ?? 'en');
  if (landing.status !== 200) throw new Error(`landing answered ${landing.status}: ${landing.text.slice(0, 500)}`);
  const { flowId, csrf } = formOf(landing.text);
  const phone = await agent.post(`/portal/f/${flowId}/phone`).type('form').send({ _csrf: csrf, phone: options.phone });
  if (phone.status !== 303) throw new Error(`phone answered ${phone.status}: ${phone.text.slice(0, 2000)}`);
  const code = ctx.twilio.codes.get(options.phone);
  if (!code) throw new Error('the fake Twilio got no verification for this phone');
  const checked = await agent.post(`/portal/f/${flowId}/code`).type('form').send({ _csrf: csrf, code });
  if (checked.status !== 303) throw new Error(`code answered ${checked.status}: ${checked.text.slice(0, 2000)}`);
  const final = await agent
    .post(`/portal/f/${flowId}/consent`)
    .type('form')
    .send({ _csrf: csrf, ...(options.consents ?? { terms: 'yes' }) });
  return { flowId, final };
}
