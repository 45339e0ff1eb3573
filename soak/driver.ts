import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { jobCatalog } from '../src/queue/jobs.js';
import { createRedisFactory } from '../src/queue/connection.js';
import { startFakeOmada } from '../test/fakes/omada.server.js';
import { startFakeTwilio } from '../test/fakes/twilio.server.js';
import { startWebhookReceiver } from '../test/fakes/webhook-receiver.server.js';
import { testConfig } from '../test/helpers/context.js';
import { createTestDatabase } from '../test/helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../test/helpers/env.js';
import { fakeTwilioEnv } from '../test/helpers/portal.js';
import { deletePrefix, testPrefix } from '../test/helpers/redis.js';
import { startAppProcess } from './app-process.js';
import { newLedger, runLoad, type LoadRates } from './load.js';
import { maxDepth, memoryTrend, operationFigures, type LoadReport } from './report.js';
import { startSampler } from './sampler.js';
import { seedWorld } from './setup.js';
import { checkNothingLost } from './verify.js';

export interface DriverOptions {
  seconds: number;
  rates: LoadRates;
  /** Heap samples before this are left out of the trend (JIT, pools and caches filling). */
  warmupSeconds: number;
  /** Upper bound for everything accepted to come out the other end after the load stops. */
  drainTimeoutMs: number;
  visitors?: number;
  /** Progress lines (the soak prints them; the test stays quiet). */
  log?: (line: string) => void;
}

const QUEUES = [...new Set(Object.values(jobCatalog).map((d) => d.queue))];
/** Webhooks may reach loopback; retries quick enough to finish within the drain, timeouts generous enough not to double-send under load. */
const TRIGGER_ENV = { TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', TRIGGERS_WEBHOOK_RETRY_SCHEDULE: '1s,2s,5s', TRIGGERS_WEBHOOK_TIMEOUT_SECONDS: '15' };

/**
 * One real app process (web + workers) on its own database and queue prefix, Twilio, Omada and a CRM
 * faked at their HTTP edges, loaded with ingest, sign-ins and trigger events together; returns the figures.
 * Everything it made is removed afterwards, whatever happened.
 */
export async function driveLoad(options: DriverOptions): Promise<LoadReport> {
  const log = options.log ?? (() => undefined);
  const prefix = testPrefix();
  const ledger = newLedger();
  const [database, twilio, omada, crm] = await Promise.all([
    createTestDatabase(),
    startFakeTwilio(),
    startFakeOmada(),
    startWebhookReceiver({
      secrets: [],
      onReceive: (w) => {
        if (!w.verified) return;
        const eventId = (JSON.parse(w.body) as { data?: { eventId?: string } }).data?.eventId ?? '';
        const sent = ledger.events.get(eventId);
        if (sent && !ledger.webhookLatency.has(eventId)) ledger.webhookLatency.set(eventId, performance.now() - sent.sentAt);
      },
    }),
  ]);
  const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, ...fakeTwilioEnv(twilio), ...TRIGGER_ENV };
  const config = testConfig(env);
  const redis = createRedisFactory(TEST_REDIS_URL);
  const client = redis.create('client');
  let app: Awaited<ReturnType<typeof startAppProcess>> | undefined;
  try {
    const world = await seedWorld({ config, db: database.pool, redis: client, crm, omada, visitors: options.visitors ?? 200 });
    app = await startAppProcess({ ...env, NODE_ENV: 'production', LOG_LEVEL: 'warn', SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: config.dataDir, DEMO_SEED: 'false' });
    log(`app pid ${app.pid} at ${app.baseUrl}, database ${database.name}, queue prefix ${prefix}`);
    const limits = await fetch(`${app.baseUrl}/api/v1/portal/settings`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${world.apiKey}`, 'Content-Type': 'application/json' },
      // Every sign-in comes from 127.0.0.1 and the venue's one gateway: lift the per-IP and per-venue SMS caps.
      body: JSON.stringify({ sms: { perIpPerDay: 1_000_000, perVenuePerDay: 1_000_000, perOrgPerMonth: 100_000_000 } }),
    });
    if (limits.status !== 200) throw new Error(`portal settings answered ${limits.status}: ${await limits.text()}`);
    const sampler = startSampler({ pid: app.pid, baseUrl: app.baseUrl, redis: client, prefix, queues: QUEUES });
    await runLoad({ baseUrl: app.baseUrl, world, twilio, ledger }, options.rates, options.seconds);
    log(`load stopped; draining (at most ${options.drainTimeoutMs / 1000} s)`);
    const smsExpected = () => [...ledger.events.values()].filter((e) => e.type === 'presence.entered').length;
    const deadline = performance.now() + options.drainTimeoutMs;
    let last = await sampler.sampleNow();
    // Drained: every accepted event has its webhook and SMS, and nothing waits or runs (scheduler jobs stay delayed).
    while (performance.now() < deadline) {
      last = await sampler.sampleNow();
      if (Object.values(last.busy).every((n) => n === 0) && ledger.webhookLatency.size >= ledger.events.size && twilio.messages.length >= smsExpected()) break;
      await sleep(250);
    }
    await sampler.stop();
    const loss = await checkNothingLost(database.pool, ledger, crm, twilio);
    ledger.latencies.set('event -> verified webhook', [...ledger.webhookLatency.values()]);
    const samples = sampler.samples.filter((s) => s.t <= options.seconds + 1);
    return {
      seconds: options.seconds,
      operations: operationFigures(ledger.latencies, options.seconds),
      maxQueueDepth: maxDepth(sampler.samples),
      finalQueueDepth: last.depth,
      finalBusy: last.busy,
      memory: memoryTrend(samples, options.warmupSeconds),
      loss,
      failures: Object.fromEntries(ledger.failures),
      samples,
    };
  } catch (error) {
    if (app) log(`app output:\n${app.tail()}`);
    throw error;
  } finally {
    await app?.stop();
    await Promise.all([twilio.close(), omada.close(), crm.close()]);
    await redis.closeAll();
    await deletePrefix(prefix);
    await database.drop();
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}
