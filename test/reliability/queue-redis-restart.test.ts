import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../src/config.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { jobCatalog } from '../../src/queue/jobs.js';
import { startWorkers } from '../../src/queue/workers.js';
import { createLogger } from '../../src/shared/logger.js';
import { TRIGGER_DELIVERIES_QUEUE, TRIGGER_EVENTS_QUEUE } from '../../src/triggers/triggers.jobs.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.server.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { testPrefix } from '../helpers/redis.js';
import { apiClient, bodyOf, PIPELINE_ENV, waitFor, type ApiClient } from '../helpers/triggers.js';
import { startRestartableRedis, type PrivateRedis } from './support/private-redis.js';

/**
 * Redis crashes (SIGKILL) in the middle of a stream of trigger events and comes
 * back on the same port a few seconds later. The app and its workers are never
 * restarted. What "mid-stream" promises: Redis runs with AOF and fsync on every
 * write (as production Redis behind BullMQ must), so every job Redis
 * acknowledged, i.e. every event answered 202, survives the crash. Events sent
 * while Redis is down are refused with a clear 503, promptly, and a client that
 * sends them again (same ids) afterwards gets them evaluated once.
 */
const silent = createLogger('silent');
const BEFORE_CRASH = 20;
const AFTER_RESTART = 20;
const REQUEST_TIMEOUT_MS = 20_000;

interface Sent {
  id: string;
  status: number;
  code?: string;
}

describe('Redis crash and restart in the middle of an event stream', () => {
  let redisServer: PrivateRedis;
  let database: TestDatabase;
  let crm: WebhookReceiver;
  let config: Config;
  let factory: RedisFactory;
  let org: TestOrg;
  let api: ApiClient;

  /** Undone in reverse order in after(), whatever failed, so nothing is left behind. */
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    redisServer = await startRestartableRedis();
    // Whatever happened, Redis runs again so the workers and connections can close cleanly; then it goes with its directory.
    cleanups.push(() => redisServer.destroy());
    cleanups.push(() => (redisServer.running() ? Promise.resolve() : redisServer.start()));
    database = await createTestDatabase();
    cleanups.push(() => database.drop());
    crm = await startWebhookReceiver({ secrets: [] });
    cleanups.push(() => crm.close());
    config = testConfig({ DATABASE_URL: database.url, REDIS_URL: redisServer.url, QUEUE_PREFIX: testPrefix(), ...PIPELINE_ENV });
    const { dataDir } = config;
    cleanups.push(() => {
      rmSync(dataDir, { recursive: true, force: true });
      return Promise.resolve();
    });
    factory = createRedisFactory(redisServer.url);
    cleanups.push(() => factory.closeAll());
    const built = buildTestApp(config, database, factory.create('client'), silent);
    cleanups.push(() => built.triggers.close());
    const workers = await startWorkers({
      catalog: jobCatalog,
      handlers: { 'trigger.event': built.triggers.engine.handleEvent, 'trigger.deliver': built.triggers.engine.handleDelivery },
      redis: factory,
      prefix: config.queue.prefix,
      concurrency: 4,
      logger: silent,
    });
    cleanups.push(() => workers.close());
    org = await newOrg(built.services);
    api = apiClient(built.app, org.apiKey);
    const endpoint = await api.post('/webhook-endpoints', { url: crm.url }).expect(201);
    crm.setSecrets([(endpoint.body as { secret: string }).secret]);
    const endpointId = (endpoint.body as { endpoint: { id: string } }).endpoint.id;
    // knownVisitor: false, so events without a visitor fire (no visitors to create, no cooldown between them).
    await api.post('/rules', { name: 'Stream', trigger: { type: 'custom', name: 'ping' }, audience: { knownVisitor: false }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] }).expect(201);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const post = async (id: string): Promise<Sent> => {
    const res = await api.post('/events', { id, type: 'custom', name: 'ping', venueId: org.venueId }).timeout(REQUEST_TIMEOUT_MS);
    return { id, status: res.status, code: (res.body as { error?: { code: string } }).error?.code };
  };

  /** Two clients send events until told to stop; every answer is kept. */
  const stream = (sent: Sent[]) => {
    let stopped = false;
    let n = 0;
    const client = async () => {
      while (!stopped) sent.push(await post(`s-${n++}-${randomBytes(3).toString('hex')}`));
    };
    const running = Promise.all([client(), client()]);
    return {
      accepted: () => sent.filter((s) => s.status === 202).length,
      refused: () => sent.filter((s) => s.status !== 202).length,
      async stop() {
        stopped = true;
        await running;
      },
    };
  };

  it('delivers every accepted event exactly once, refuses the rest with 503, and the workers resume by themselves', { timeout: 120_000 }, async () => {
    const sent: Sent[] = [];
    const clients = stream(sent);
    try {
      await waitFor(() => clients.accepted() >= BEFORE_CRASH, 30_000, `${BEFORE_CRASH} accepted events`);
      await redisServer.stop('SIGKILL');
      const crashedAt = Date.now();
      const acceptedBefore = clients.accepted();
      await waitFor(() => clients.refused() >= 3 && Date.now() - crashedAt >= 2_000, 30_000, 'events refused while Redis is down');
      await redisServer.start();
      await waitFor(() => clients.accepted() >= acceptedBefore + AFTER_RESTART, 60_000, `${AFTER_RESTART} events accepted after the restart`);
    } finally {
      await clients.stop();
    }

    const accepted = sent.filter((s) => s.status === 202);
    const refused = sent.filter((s) => s.status !== 202);
    assert.ok(refused.length >= 3, 'some events were sent while Redis was down');
    assert.deepEqual([...new Set(refused.map((s) => `${s.status} ${s.code ?? ''}`))], ['503 DEPENDENCY_UNAVAILABLE'], 'refused with a clear 503');

    // The client sends the refused events again, same ids (one may have reached Redis before the crash cut its answer).
    for (const s of refused) assert.equal((await post(s.id)).status, 202);
    const all = [...new Set(sent.map((s) => s.id))];
    const deliveredIds = () => new Set(crm.uniqueDelivered().map((w) => bodyOf(w).data.eventId));
    await waitFor(() => deliveredIds().size >= all.length, 60_000, `${all.length} events delivered`).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; missing: ${all.filter((id) => !deliveredIds().has(id)).join(', ')}`);
    });
    const inspector = factory.create('client');
    await waitFor(async () => (await pendingJobs(inspector, config.queue.prefix)) === 0, 30_000, 'trigger queues drained');

    const decisions = await database.pool.query<{ eventId: string; n: number }>('SELECT event_id AS "eventId", count(*)::int AS n FROM trigger_decisions GROUP BY event_id');
    const decided = new Map(decisions.rows.map((r) => [r.eventId, r.n]));
    const webhooks = new Map<string, number>();
    for (const w of crm.received.filter((r) => r.verified && r.status === 200)) {
      const eventId = bodyOf(w).data.eventId;
      webhooks.set(eventId, (webhooks.get(eventId) ?? 0) + 1);
    }
    assert.deepEqual(all.filter((id) => decided.get(id) !== 1), [], 'exactly one decision per event');
    assert.deepEqual(all.filter((id) => webhooks.get(id) !== 1), [], 'exactly one verified webhook per event');
    assert.equal(decided.size, all.length, 'no decision about an event nobody sent');
    const statuses = await database.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM trigger_deliveries GROUP BY status');
    assert.deepEqual(statuses.rows, [{ status: 'delivered', n: all.length }]);
    assert.ok(accepted.length >= BEFORE_CRASH + AFTER_RESTART);
  });
});

/** Jobs still waiting, running or scheduled on the trigger queues. */
async function pendingJobs(connection: Redis, prefix: string): Promise<number> {
  let total = 0;
  for (const name of [TRIGGER_EVENTS_QUEUE, TRIGGER_DELIVERIES_QUEUE]) {
    const queue = new Queue(name, { connection, prefix });
    try {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    } finally {
      await queue.close();
    }
  }
  return total;
}
