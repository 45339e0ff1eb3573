import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import type { Express } from 'express';
import request from 'supertest';
import { CATALOG_QUEUES } from '../../src/admin/operations/queue-set.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { createRecentErrorsSink, readRecentErrors } from '../../src/shared/recent-errors.js';
import type { Services } from '../../src/services.js';
import type { Triggers } from '../../src/triggers/index.js';
import { buildTestApp, testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/triggers.js';
import { csrfFrom, signedInAgent } from '../helpers/admin-forms.js';

const PASSWORD = 'a-long-enough-password';
type Agent = ReturnType<typeof request.agent>;

describe('admin operations pages: queue board and recent errors', () => {
  const prefix = testPrefix();
  let database: TestDatabase;
  let redis: RedisFactory;
  let client: ReturnType<RedisFactory['create']>;
  let app: Express;
  let services: Services;
  let triggers: Triggers;
  let dataDir: string;
  let org: TestOrg;
  let rival: TestOrg;
  let owner: Agent;
  let marketer: Agent;
  let token: string;
  const sink = createRecentErrorsSink();

  const signIn = (email: string): Promise<Agent> => signedInAgent(app, email, PASSWORD);

  /** A job that really failed: a worker ran it and it threw. */
  async function failJob(queueName: string): Promise<void> {
    const connection = redis.create('worker');
    const queue = new Queue(queueName, { connection, prefix });
    const failed = new Promise<void>((resolve) => {
      const worker = new Worker(queueName, () => Promise.reject(new Error('boom in the test job')), { connection: redis.create('worker'), prefix });
      worker.on('failed', () => void worker.close().then(resolve));
    });
    await queue.add('test.fails', {}, { attempts: 1 });
    await failed;
    await queue.close();
  }

  before(async () => {
    database = await createTestDatabase();
    const config = testConfig({ DATABASE_URL: database.url, QUEUE_PREFIX: prefix, OPERATOR_EMAILS: 'Owner@ops.example' });
    dataDir = config.dataDir;
    redis = createRedisFactory(TEST_REDIS_URL);
    client = redis.create('client');
    sink.attach(client, prefix);
    // As main.ts wires it: error lines also go to the recent-errors list (the console output is dropped here).
    const logger = createLogger('error', { write: () => true } as unknown as NodeJS.WritableStream, { errorSink: sink, bindings: { role: 'web' } });
    ({ app, services, triggers } = buildTestApp(config, database, client, logger));
    org = await newOrg(services, 'Ops Org');
    rival = await newOrg(services, 'Rival Ops Org');
    await services.organisations.createUser(org.orgId, { email: 'owner@ops.example', role: 'owner', password: PASSWORD });
    await services.organisations.createUser(org.orgId, { email: 'marketer@ops.example', role: 'marketer', password: PASSWORD });
    owner = await signIn('owner@ops.example');
    marketer = await signIn('marketer@ops.example');
    token = csrfFrom((await owner.get('/admin').expect(200)).text);
  });

  after(async () => {
    sink.detach();
    await triggers.close();
    await redis.closeAll();
    await deletePrefix(prefix);
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens installation-wide pages only to the operators listed in OPERATOR_EMAILS, not to every owner', async () => {
    await services.organisations.createUser(rival.orgId, { email: 'owner@rival-ops.example', role: 'owner', password: PASSWORD });
    const rivalOwner = await signIn('owner@rival-ops.example');
    for (const path of ['/admin/errors', '/admin/queues/', '/admin/queues/api/queues']) {
      const res = await rivalOwner.get(path).expect(403);
      if (!path.includes('/api/')) assert.match(res.text, /OPERATOR_EMAILS/, path);
    }
    await owner.get('/admin/errors').expect(200);
  });

  it('sends signed-out visitors to the login page and refuses non-owners (403), board API included', async () => {
    for (const path of ['/admin/errors', '/admin/queues/', '/admin/queues/api/queues']) {
      const res = await request(app).get(path).expect(303);
      assert.match(String(res.headers.location), /^\/login\?next=/, path);
      await marketer.get(path).expect(403);
    }
    const csrf = csrfFrom((await marketer.get('/admin').expect(200)).text);
    await marketer.put('/admin/queues/api/queues/maintenance/pause').set('X-CSRF-Token', csrf).expect(403);
  });

  it('serves Bull Board for every catalog queue under its own CSP, with the CSRF token for its API calls', async () => {
    const page = await owner.get('/admin/queues/').expect(200);
    assert.match(page.text, /<base href="\/admin\/queues\/"/);
    assert.match(page.text, new RegExp(`<meta name="csrf-token" content="${token}"><script src="/admin/assets/ops-queues.js" defer></script>`));
    assert.equal(page.headers['x-powered-by'], undefined);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self' 'unsafe-inline'(;|$)/, 'no third-party stylesheets (Google Fonts) on the board');
    const elsewhere = String((await owner.get('/admin/errors').expect(200)).headers['content-security-policy']);
    assert.match(elsewhere, /style-src 'self' https: 'unsafe-inline'/, 'the rest of the app keeps the global CSP');
    await owner.get('/admin/assets/ops-queues.js').expect(200).expect('content-type', /javascript/);

    const api = await owner.get('/admin/queues/api/queues').expect(200);
    const names = (api.body as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    assert.deepEqual(names, [...CATALOG_QUEUES].sort());
  });

  it('lets board actions through only with the CSRF token', async () => {
    const queue = CATALOG_QUEUES[0] ?? 'maintenance';
    await owner.put(`/admin/queues/api/queues/${queue}/pause`).set('Accept', 'application/json').expect(403);
    const handle = new Queue(queue, { connection: client, prefix });
    try {
      assert.equal(await handle.isPaused(), false);
      await owner.put(`/admin/queues/api/queues/${queue}/pause`).set('X-CSRF-Token', token).expect(200);
      assert.equal(await handle.isPaused(), true);
      await owner.put(`/admin/queues/api/queues/${queue}/resume`).set('X-CSRF-Token', token).expect(200);
      assert.equal(await handle.isPaused(), false);
    } finally {
      await handle.close();
    }
  });

  it('counts failed jobs per queue and retries them from the board', async () => {
    await failJob('maintenance');
    const page = await owner.get('/admin/errors').expect(200);
    assert.match(page.text, /<a href="\/admin\/queues\/queue\/maintenance\?status=failed">maintenance<\/a><\/th><td>1<\/td>/);
    await owner.put('/admin/queues/api/queues/maintenance/retry/failed').set('X-CSRF-Token', token).expect(200);
    const after = await owner.get('/admin/errors').expect(200);
    assert.match(after.text, /maintenance<\/a><\/th><td>0<\/td>/);
  });

  it("counts this organisation's webhook deliveries that failed in the last 24 hours", async () => {
    const db = database.pool;
    const delivery = async (orgId: string, status: string, hoursAgo: number): Promise<void> => {
      const decisionId = newId();
      await db.query(
        `INSERT INTO trigger_decisions (id, org_id, rule_id, rule_version, event_id, event_type, outcome, trace, occurred_at, decided_at)
         VALUES ($1, $2, $3, 1, $4, 'presence.entered', 'fired', '[]', now(), now())`,
        [decisionId, orgId, newId(), newId()],
      );
      await db.query(
        `INSERT INTO trigger_deliveries (id, org_id, decision_id, rule_id, channel, endpoint_id, status, payload, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'webhook', $5, $6, '{}', now() - make_interval(hours => $7), now() - make_interval(hours => $7))`,
        [newId(), orgId, decisionId, newId(), newId(), status, hoursAgo],
      );
    };
    await delivery(org.orgId, 'failed', 1);
    await delivery(org.orgId, 'failed', 2);
    await delivery(org.orgId, 'failed', 30);
    await delivery(org.orgId, 'delivered', 1);
    await delivery(rival.orgId, 'failed', 1);
    const page = await owner.get('/admin/errors').expect(200);
    assert.match(page.text, /<p class="ops-count" id="failed-deliveries">2<\/p>/);
    assert.match(page.text, /href="\/admin\/deliveries\?status=failed&amp;channel=webhook"/);
  });

  it('lists a real request failure from the log, newest first, with its request id and code', async () => {
    // A real failure: the table the page reads is gone for a moment, so the request ends in a 500.
    await database.pool.query('ALTER TABLE webhook_endpoints RENAME TO webhook_endpoints_away');
    let requestId: string;
    try {
      const failed = await owner.get('/admin/webhooks').set('Accept', 'text/html').expect(500);
      requestId = String(failed.headers['x-request-id']);
    } finally {
      await database.pool.query('ALTER TABLE webhook_endpoints_away RENAME TO webhook_endpoints');
    }
    await waitFor(async () => (await readRecentErrors(client, prefix)).some((e) => e.requestId === requestId), 5_000, 'the error in Redis');
    const page = await owner.get('/admin/errors').expect(200);
    const rows = page.text.split('class="error-row"').slice(1);
    const mine = rows.filter((r) => r.includes(`<code>${requestId}</code>`));
    // The error handler logs the failure, then the request log its 500 answer: newest first.
    assert.deepEqual(
      mine.map((r) => /<td>(request \w+)/.exec(r)?.[1]),
      ['request errored', 'request failed'],
    );
    const [, failure = ''] = mine;
    assert.match(failure, /<td>web<\/td>/);
    assert.match(failure, /<code>INTERNAL<\/code>/);
    assert.match(failure, /relation &quot;webhook_endpoints&quot; does not exist/);
  });
});
