import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createRedisFactory } from '../../src/queue/connection.js';
import { createServices, type Services } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTriggers, type Triggers } from '../../src/triggers/index.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from './env.js';
import { deleteKeys, testPrefix } from './redis.js';

export interface TestContext {
  config: Config;
  database: TestDatabase;
  redis: Redis;
  services: Services;
  triggers: Triggers;
  app: Express;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SECRET_KEY: TEST_SECRET_KEY,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'passby-data-')),
    ...overrides,
  });
}

/** A web app over an existing database and Redis connection: a second app stands in for a restarted process. */
export function buildTestApp(
  config: Config,
  database: TestDatabase,
  redis: Redis,
  logger = createLogger(config.logLevel),
): { app: Express; services: Services; triggers: Triggers } {
  const services = createServices({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY });
  const triggers = createTriggers({ config, db: database.pool, redis, clock: systemClock, secretKey: TEST_SECRET_KEY, logger });
  const app = buildApp({
    config,
    db: database.pool,
    redis,
    logger,
    clock: systemClock,
    metrics: createMetrics(),
    secretKey: TEST_SECRET_KEY,
    services,
    triggers,
  });
  return { app, services, triggers };
}

/** The real app on a database of its own and the given Redis (the shared one by default); `env` overrides configuration. */
export async function createTestContext(options: { redisUrl?: string; env?: Record<string, string> } = {}): Promise<TestContext> {
  const database = await createTestDatabase();
  const redisUrl = options.redisUrl ?? TEST_REDIS_URL;
  // Its own queue prefix: queues, login counters and caches never meet another test's (or a dev server's).
  const config = testConfig({ QUEUE_PREFIX: testPrefix(), ...options.env, DATABASE_URL: database.url, REDIS_URL: redisUrl });
  const factory = createRedisFactory(redisUrl);
  const redis = factory.create('client');
  const { app, services, triggers } = buildTestApp(config, database, redis);
  return {
    config,
    database,
    redis,
    services,
    triggers,
    app,
    async close() {
      await triggers.close();
      // Over the open connection, and only when Redis answers (some tests stop it on purpose).
      if (config.queue.prefix.startsWith('passby-t-') && redis.status === 'ready') await deleteKeys(redis, `${config.queue.prefix}:`);
      await factory.closeAll();
      await database.drop();
    },
  };
}
