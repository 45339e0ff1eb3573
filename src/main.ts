import { createServer, type Server } from 'node:http';
import { createPresenceService, createPresenceSink } from './analytics/presence/index.js';
import { buildApp, type AppDeps } from './app.js';
import type { Config } from './config.js';
import { resolveDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { seedDemoIfEmpty, type DemoSeed } from './demo-seed.js';
import { createMetrics } from './http/metrics.js';
import { createJobHandlers } from './job-handlers.js';
import { createRedisFactory } from './queue/connection.js';
import { resolveRedis } from './queue/embedded-redis.js';
import { jobCatalog, jobSchedules } from './queue/jobs.js';
import { checkEvictionPolicy } from './queue/redis-policy.js';
import { startWorkers } from './queue/workers.js';
import { createServices } from './services.js';
import { systemClock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createRecentErrorsSink } from './shared/recent-errors.js';
import { resolveSecretKey } from './shared/secret-key.js';
import { createTriggers } from './triggers/index.js';

/**
 * The composition root: config -> PostgreSQL and Redis (embedded fallbacks
 * for the quick start) -> migrations -> web server and/or queue workers, with
 * a graceful shutdown on SIGTERM/SIGINT.
 */
export interface RuntimeOptions {
  web: boolean;
  workers: boolean;
  /** Human-facing lines (demo credentials, the URL): the CLI prints them to stdout. */
  announce: (text: string) => void;
}

export interface Runtime {
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function describeDemo(demo: DemoSeed, publicUrl: string): string {
  return [
    '',
    'Created a demo organisation (the database was empty). Shown once, keep them:',
    `  staff login   ${publicUrl}/login   email ${demo.email}   password ${demo.password}`,
    `  API key       ${demo.apiKey}`,
    `  try           curl -H "Authorization: Bearer ${demo.apiKey}" ${publicUrl}/api/v1/venues`,
    `  footfall      ${demo.probes} simulated probe requests from the last 6 hours; within a minute:`,
    `                curl -H "Authorization: Bearer ${demo.apiKey}" "${publicUrl}/api/v1/venues/${demo.venueId}/metrics?interval=1h"`,
    '',
  ].join('\n');
}

type Stop = () => Promise<void>;

/** PostgreSQL and Redis (with their fallbacks), checked and migrated; each opened thing leaves its stop behind. */
async function openStores(config: Config, logger: Logger, stops: Stop[]) {
  const database = await resolveDatabase(config, logger);
  stops.push(() => database.stop());
  const db = createPool(database.url, config.database.poolSize, logger);
  stops.push(() => db.end());
  const redisTarget = await resolveRedis(config, logger);
  stops.push(() => redisTarget.stop());
  const redis = createRedisFactory(redisTarget.url);
  stops.push(() => redis.closeAll());
  const client = redis.create('client');
  await checkEvictionPolicy(client, config.redis.allowEviction, logger);
  const migrated = await migrate(db);
  logger.info({ applied: migrated.applied.map((m) => `${m.version}_${m.name}`), version: migrated.current }, 'database schema up to date');
  return { db, redis, client };
}

async function startWeb(deps: AppDeps, stops: Stop[]): Promise<void> {
  const server = createServer(buildApp(deps));
  const port = await listen(server, deps.config.port, deps.config.host);
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        // Stop accepting; requests in flight finish, idle keep-alive sockets close now.
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  );
  deps.logger.info({ port }, 'web server listening');
}

export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  // Error lines also go to the admin's recent-errors list; Redis is not connected yet, so the sink holds the first ones.
  const recentErrors = createRecentErrorsSink();
  const role = [options.web && 'web', options.workers && 'worker'].filter(Boolean).join('+');
  const logger = createLogger(config.logLevel, undefined, { errorSink: recentErrors, bindings: { role } });
  const clock = systemClock;
  const secretKey = resolveSecretKey(config, logger);
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of [...stops].reverse()) await stop().catch((error: unknown) => logger.error({ err: error }, 'error during shutdown'));
  };
  try {
    const { db, redis, client } = await openStores(config, logger, stops);
    recentErrors.attach(client, config.queue.prefix);
    stops.push(() => {
      recentErrors.detach();
      return Promise.resolve();
    });
    // Ingest hands known devices' sightings to presence tracking through the queue (web and worker processes alike).
    const presenceSink = createPresenceSink({ redis: client, prefix: config.queue.prefix });
    stops.push(() => presenceSink.close());
    const services = createServices({ db, clock, secretKey, analytics: config.analytics, presence: presenceSink });
    const demo = config.demoSeed ? await seedDemoIfEmpty(services, clock.now()) : undefined;
    if (demo) options.announce(describeDemo(demo, config.publicUrl));

    const triggers = createTriggers({ config, db, redis: client, clock, secretKey, logger });
    stops.push(() => triggers.close());
    const metrics = createMetrics();
    if (options.workers) {
      const workers = await startWorkers({
        catalog: jobCatalog,
        handlers: createJobHandlers({
          db,
          clock,
          analytics: config.analytics,
          rollup: services.rollup,
          triggers,
          presence: createPresenceService({
            redis: client,
            prefix: config.queue.prefix,
            clock,
            settingsFor: (orgId, venueId) => services.analyticsSettings.settingsFor(orgId, venueId),
            timeZoneFor: async (orgId, venueId) => (await services.venues.get(orgId, venueId)).timezone,
          }),
        }),
        schedules: jobSchedules,
        redis,
        prefix: config.queue.prefix,
        concurrency: config.queue.concurrency,
        logger,
        onJobFinished: (queue, job, outcome) => metrics.jobsFinished.inc({ queue, job, outcome }),
      });
      stops.push(() => workers.close());
    }
    if (options.web) {
      await startWeb({ config, db, redis: client, logger, clock, metrics, secretKey, services, triggers }, stops);
      options.announce(`Passby is running on ${config.publicUrl} (health: ${config.publicUrl}/readyz)`);
    }
    return { stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Runs until SIGTERM/SIGINT, then drains: the server stops accepting, workers finish running jobs, pools close. */
export async function runUntilSignalled(config: Config, options: RuntimeOptions): Promise<void> {
  const runtime = await startRuntime(config, options);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`${signal} received: finishing running work, then exiting (send again to force)\n`);
      process.once(signal, () => process.exit(130));
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await runtime.stop();
}
