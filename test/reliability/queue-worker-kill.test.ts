import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createRedisFactory } from '../../src/queue/connection.js';
import { createLogger } from '../../src/shared/logger.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.server.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';
import { apiClient, PIPELINE_ENV, waitFor, type ApiClient } from '../helpers/triggers.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

/**
 * The real `passby worker` SIGKILLed while a webhook is in flight (the CRM is
 * slow to answer), then another worker started. BullMQ's lock on the job
 * expires (30 s) and the new worker's stalled-job check puts it back: the
 * webhook goes again under the same webhook-id. The CRM may see it twice,
 * that is the at-least-once contract; deduplicating by webhook-id it is one
 * delivery, and the delivery row records one attempt, delivered.
 */
const silent = createLogger('silent');

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  attemptLog: { outcome: string }[];
}

describe('a worker process killed in the middle of a delivery', () => {
  let database: TestDatabase;
  let crm: WebhookReceiver;
  let org: TestOrg;
  let api: ApiClient;
  let workerEnv: Record<string, string>;
  const workers: WorkerProcess[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    database = await createTestDatabase();
    cleanups.push(() => database.drop());
    crm = await startWebhookReceiver({ secrets: [] });
    cleanups.push(() => crm.close());
    const prefix = testPrefix();
    cleanups.push(() => deletePrefix(prefix));
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ...PIPELINE_ENV });
    cleanups.push(() => {
      rmSync(config.dataDir, { recursive: true, force: true });
      return Promise.resolve();
    });
    // Killed or not, no worker outlives the test.
    cleanups.push(() => Promise.all(workers.map((w) => w.kill('SIGKILL'))));
    const factory = createRedisFactory(TEST_REDIS_URL);
    cleanups.push(() => factory.closeAll());
    // The web side in this process (no workers): events go in through the API onto the shared queue.
    const built = buildTestApp(config, database, factory.create('client'), silent);
    cleanups.push(() => built.triggers.close());
    org = await newOrg(built.services);
    api = apiClient(built.app, org.apiKey);
    const endpoint = await api.post('/webhook-endpoints', { url: crm.url }).expect(201);
    crm.setSecrets([(endpoint.body as { secret: string }).secret]);
    const endpointId = (endpoint.body as { endpoint: { id: string } }).endpoint.id;
    await api.post('/rules', { name: 'Slow CRM', trigger: { type: 'custom', name: 'ping' }, audience: { knownVisitor: false }, actions: [{ type: 'webhook', endpointIds: [endpointId] }] }).expect(201);
    workerEnv = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      // The endpoint's signing secret is stored encrypted under a key derived from SECRET_KEY.
      SECRET_KEY: TEST_SECRET_KEY,
      DATA_DIR: config.dataDir,
      WORKER_CONCURRENCY: '2',
      TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
      // Longer than the CRM's delay: the first worker is still waiting for the answer when it dies.
      TRIGGERS_WEBHOOK_TIMEOUT_SECONDS: '60',
    };
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const startWorker = async (): Promise<WorkerProcess> => {
    const worker = startWorkerProcess(workerEnv);
    workers.push(worker);
    await worker.ready();
    return worker;
  };
  const deliveryRow = async (eventId: string): Promise<DeliveryRow | undefined> => {
    const { rows } = await database.pool.query<DeliveryRow>(
      `SELECT x.id, x.status, x.attempts, x.attempt_log AS "attemptLog" FROM trigger_deliveries x JOIN trigger_decisions d ON d.id = x.decision_id WHERE d.event_id = $1`,
      [eventId],
    );
    return rows[0];
  };

  it('recovers the stalled job in another worker and delivers once per webhook-id', { timeout: 120_000 }, async () => {
    crm.script({ delayMs: 60_000 });
    const first = await startWorker();
    const eventId = `kill-${randomBytes(4).toString('hex')}`;
    await api.post('/events', { id: eventId, type: 'custom', name: 'ping', venueId: org.venueId }).expect(202);

    const inFlight = await waitFor(() => crm.received[0], 30_000, 'the webhook reaching the slow CRM');
    const row = await deliveryRow(eventId);
    assert.ok(row, 'the delivery row exists');
    assert.equal(inFlight.id, row.id, 'the webhook-id is the delivery id');
    assert.deepEqual([row.status, row.attempts], ['pending', 0], 'no answer yet, so no attempt recorded');

    await first.kill('SIGKILL');
    crm.script({});
    await startWorker();
    const delivered = await waitFor(async () => {
      const current = await deliveryRow(eventId);
      return current?.status === 'delivered' && current;
    }, 90_000, 'the delivery recovered by the second worker');

    const requests = crm.received.filter((w) => w.id === row.id);
    assert.equal(requests.length, 2, 'sent by the killed worker and again by the new one');
    assert.ok(requests.every((w) => w.verified), 'both signed');
    assert.equal(new Set(requests.map((w) => w.body)).size, 1, 'the same message both times');
    assert.equal(crm.uniqueDelivered().filter((w) => w.id === row.id).length, 1, 'one delivery once deduplicated by webhook-id');
    assert.equal(delivered.attempts, 1);
    assert.deepEqual(delivered.attemptLog.map((a) => a.outcome), ['delivered']);
  });
});
