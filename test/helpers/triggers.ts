import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Express } from 'express';
import supertest from 'supertest';
import { presenceJobCatalog, type PresenceEvent } from '../../src/analytics/presence/index.js';
import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { createMetrics } from '../../src/http/metrics.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { jobCatalog } from '../../src/queue/jobs.js';
import { JobProducer } from '../../src/queue/producer.js';
import { startWorkers, type WorkerGroup } from '../../src/queue/workers.js';
import { createServices, type Services } from '../../src/services.js';
import { systemClock, type Clock } from '../../src/shared/clock.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTriggers, type Triggers } from '../../src/triggers/index.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.server.js';
import type { WebhookBody } from '../../src/triggers/engine/payload.js';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../fakes/webhook-receiver.server.js';
import { testConfig } from './context.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from './env.js';
import { bearer, newOrg, type TestOrg } from './factories.js';
import { fakeTwilioEnv } from './portal.js';
import { deletePrefix, testPrefix } from './redis.js';

/**
 * The whole trigger pipeline for a test file: the real app (API), real BullMQ
 * workers for presence events, trigger events and deliveries on a Redis prefix
 * of its own, Twilio faked at its HTTP edge and a CRM receiver that verifies
 * every webhook with `standardwebhooks`.
 */
export interface PipelineContext {
  config: Config;
  database: TestDatabase;
  redis: RedisFactory;
  prefix: string;
  services: Services;
  triggers: Triggers;
  app: Express;
  workers: WorkerGroup;
  twilio: FakeTwilio;
  crm: WebhookReceiver;
  org: TestOrg;
  /** The API as the organisation (its key already set). */
  api: ApiClient;
  /** Puts a presence event on the presence-events queue as presence tracking does (job id = event id unless given). */
  presence(event: PresenceEvent, jobId?: string): Promise<void>;
  close(): Promise<void>;
}

export interface ApiClient {
  get(path: string): supertest.Test;
  post(path: string, body?: unknown): supertest.Test;
  put(path: string, body?: unknown): supertest.Test;
  patch(path: string, body?: unknown): supertest.Test;
}

/** Retries fast (50 ms, 100 ms, 200 ms), lets webhooks reach loopback, and a 1 s webhook timeout. */
export const PIPELINE_ENV: Record<string, string> = {
  TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
  TRIGGERS_WEBHOOK_RETRY_SCHEDULE: '50ms,100ms,200ms',
  TRIGGERS_WEBHOOK_TIMEOUT_SECONDS: '1',
};

const silent = createLogger('silent');

/** The organisation API as the holder of `apiKey`. */
export function apiClient(app: Express, apiKey: string): ApiClient {
  const auth = bearer(apiKey);
  return {
    get: (path) => supertest(app).get(`/api/v1${path}`).set(auth),
    post: (path, body) => supertest(app).post(`/api/v1${path}`).set(auth).send(body as object),
    put: (path, body) => supertest(app).put(`/api/v1${path}`).set(auth).send(body as object),
    patch: (path, body) => supertest(app).patch(`/api/v1${path}`).set(auth).send(body as object),
  };
}

export async function createPipelineContext(options: { env?: Record<string, string>; clock?: Clock; concurrency?: number } = {}): Promise<PipelineContext> {
  const [database, twilio, crm] = await Promise.all([createTestDatabase(), startFakeTwilio(), startWebhookReceiver({ secrets: [] })]);
  const prefix = testPrefix();
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ...fakeTwilioEnv(twilio), ...PIPELINE_ENV, ...options.env });
  const redis = createRedisFactory(TEST_REDIS_URL);
  const client = redis.create('client');
  const clock = options.clock ?? systemClock;
  const services = createServices({ db: database.pool, clock, secretKey: TEST_SECRET_KEY });
  const triggers = createTriggers({ config, db: database.pool, redis: client, clock, secretKey: TEST_SECRET_KEY, logger: silent });
  const app = buildApp({ config, db: database.pool, redis: client, logger: silent, clock, metrics: createMetrics(), secretKey: TEST_SECRET_KEY, services, triggers });
  const workers = await startWorkers({
    catalog: jobCatalog,
    handlers: { 'presence.event': triggers.engine.handlePresenceEvent, 'trigger.event': triggers.engine.handleEvent, 'trigger.deliver': triggers.engine.handleDelivery },
    redis,
    prefix,
    concurrency: options.concurrency ?? 4,
    logger: silent,
  });
  const presenceProducer = new JobProducer(presenceJobCatalog, client, prefix);
  const org = await newOrg(services);
  return {
    config,
    database,
    redis,
    prefix,
    services,
    triggers,
    app,
    workers,
    twilio,
    crm,
    org,
    api: apiClient(app, org.apiKey),
    async presence(event, jobId) {
      await presenceProducer.enqueue('presence.event', event, { jobId: jobId ?? event.id });
    },
    async close() {
      await workers.close();
      await presenceProducer.close();
      await triggers.close();
      await Promise.all([twilio.close(), crm.close()]);
      await redis.closeAll();
      await deletePrefix(prefix);
      await database.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

let phoneCounter = 0;
/** A fresh valid-looking UK mobile number per call. */
export const nextPhone = (): string => `+4474${String(process.pid % 100).padStart(2, '0')}${String(100000 + (phoneCounter++ % 900000)).padStart(6, '0')}`;

/** A visitor (verified phone) of the context's organisation with these consents recorded, as the portal would. */
export async function newVisitor(ctx: PipelineContext, consents: { sms?: boolean; crm?: boolean } = {}, orgId = ctx.org.orgId): Promise<{ id: string; phone: string }> {
  const repo = new VisitorRepository(ctx.database.pool);
  const visitor = await repo.upsert({ id: newId(), orgId, phone: nextPhone() }, new Date());
  const events = [
    { purpose: 'terms' as const, granted: true },
    { purpose: 'sms_marketing' as const, granted: consents.sms ?? false },
    { purpose: 'crm_sharing' as const, granted: consents.crm ?? false },
  ];
  await repo.recordConsents(
    orgId,
    visitor.id,
    events.map((e) => ({ ...e, id: newId(), textVersion: 'test-v1', venueId: ctx.org.venueId, gatewayId: null, method: 'portal_form' })),
    new Date(),
  );
  return { id: visitor.id, phone: visitor.phone };
}

/** Records a consent change now (withdrawal or grant), as the API would. */
export async function setConsent(ctx: PipelineContext, visitorId: string, purpose: 'sms_marketing' | 'crm_sharing', granted: boolean): Promise<void> {
  await new VisitorRepository(ctx.database.pool).recordConsents(
    ctx.org.orgId,
    visitorId,
    [{ id: newId(), purpose, granted, textVersion: 'test-v1', venueId: null, gatewayId: null, method: 'api' }],
    new Date(),
  );
}

const receiverSecrets = new WeakMap<WebhookReceiver, string[]>();

/** A webhook endpoint at the context's CRM receiver, created through the API; the receiver verifies with its secret too. */
export async function newEndpoint(ctx: PipelineContext, body: Record<string, unknown> = {}, api = ctx.api): Promise<{ id: string; secret: string }> {
  const res = await api.post('/webhook-endpoints', { url: ctx.crm.url, ...body });
  if (res.status !== 201) throw new Error(`POST /webhook-endpoints answered ${res.status}: ${res.text}`);
  const created = res.body as { endpoint: { id: string }; secret: string };
  const secrets = [...(receiverSecrets.get(ctx.crm) ?? []), created.secret];
  receiverSecrets.set(ctx.crm, secrets);
  ctx.crm.setSecrets(secrets);
  return { id: created.endpoint.id, secret: created.secret };
}

/** Another venue of the organisation (Europe/London): a test's rules scoped to it see only its events. */
export async function newVenue(ctx: PipelineContext, orgId = ctx.org.orgId): Promise<string> {
  const venue = await ctx.services.venues.create(orgId, { name: `Venue ${randomBytes(3).toString('hex')}`, timezone: 'Europe/London' });
  return venue.id;
}

/** A rule created through the API (definition as POST /rules takes it). */
export async function newRule(ctx: PipelineContext, definition: Record<string, unknown>, api = ctx.api): Promise<{ id: string; version: number }> {
  const res = await api.post('/rules', definition);
  if (res.status !== 201) throw new Error(`POST /rules answered ${res.status}: ${res.text}`);
  return res.body as { id: string; version: number };
}

/** "HH:MM" `hoursAhead` hours from now in the time zone (quiet hours that surely do or do not cover now). */
export function localTimeIn(hoursAhead: number, timeZone = 'Europe/London', now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now.getTime() + hoursAhead * 3_600_000));
  const field = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${field('hour')}:${field('minute')}`;
}

/** Quiet hours well away from now: an SMS rule with them sends at once whatever the time of day. */
export const quietHoursAway = (): { mode: 'hold'; from: string; to: string } => ({ mode: 'hold', from: localTimeIn(11), to: localTimeIn(12) });

/** Polls until `probe` returns something other than undefined/false; fails with `what` after the timeout. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A presence event about the visitor at the context's venue (id: 32 hex digits, as presence tracking makes them). */
export function presenceEvent(ctx: PipelineContext, visitorId: string, over: Partial<PresenceEvent> = {}): PresenceEvent {
  const now = new Date();
  return {
    id: randomBytes(16).toString('hex'),
    type: 'presence.entered',
    orgId: ctx.org.orgId,
    venueId: ctx.org.venueId,
    zoneId: null,
    visitorId,
    occurredAt: now.toISOString(),
    visitStartedAt: new Date(now.getTime() - 60_000).toISOString(),
    ...over,
  } as PresenceEvent;
}

// ---- Reading the pipeline's results through the API and the receiver ----

export interface DecisionItem {
  id: string;
  ruleId: string;
  eventId: string;
  outcome: string;
  reason: string | null;
  trace: { condition: string; passed: boolean }[];
  actions: { channel: string; status: string; reason?: string }[];
}
export interface DeliveryItem {
  id: string;
  ruleId: string;
  channel: 'webhook' | 'sms';
  status: string;
  reason: string | null;
  attempts: number;
}

/** A list answer's items and cursor. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
export const listOf = <T = Record<string, unknown>>(res: { body: unknown }): Page<T> => res.body as Page<T>;
/** An error answer's code and the paths of its field problems. */
export const errorOf = (res: { body: unknown }): { code: string; fields: string[] } => {
  const { error } = res.body as { error: { code: string; details?: { fields?: { path: string }[] } } };
  return { code: error.code, fields: (error.details?.fields ?? []).map((f) => f.path) };
};
export const decisionsOf = async (api: ApiClient, visitorId: string): Promise<DecisionItem[]> =>
  listOf<DecisionItem>(await api.get(`/decisions?visitorId=${visitorId}`).expect(200)).items;
export const deliveriesOf = async (api: ApiClient, visitorId: string): Promise<DeliveryItem[]> =>
  listOf<DeliveryItem>(await api.get(`/deliveries?visitorId=${visitorId}`).expect(200)).items;
/** Webhooks the CRM received about this visitor (every request, verified or not). */
export const webhooksAbout = (received: ReceivedWebhook[], visitorId: string): ReceivedWebhook[] => received.filter((w) => w.body.includes(visitorId));
export const bodyOf = (w: ReceivedWebhook | undefined): WebhookBody => JSON.parse(w?.body ?? '{}') as WebhookBody;

/** Waits until every delivery of the visitor is final and there are `count` of them. */
export const settled = (api: ApiClient, visitorId: string, count: number): Promise<DeliveryItem[]> =>
  waitFor(async () => {
    const items = await deliveriesOf(api, visitorId);
    return items.length === count && items.every((d) => !['pending', 'held'].includes(d.status)) && items;
  }, 15_000, `${count} settled deliveries`);
