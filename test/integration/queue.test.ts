import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { freePort } from '../../src/db/embedded.js';
import { createRedisFactory, type RedisFactory } from '../../src/queue/connection.js';
import { resolveRedis } from '../../src/queue/embedded-redis.js';
import type { JobCatalog } from '../../src/queue/jobs.js';
import { JobProducer } from '../../src/queue/producer.js';
import { checkEvictionPolicy } from '../../src/queue/redis-policy.js';
import { startWorkers, type WorkerGroup } from '../../src/queue/workers.js';
import { AppError } from '../../src/shared/errors.js';
import { createLogger } from '../../src/shared/logger.js';
import { StartupError } from '../../src/shared/startup-error.js';
import { testConfig } from '../helpers/context.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, startTestRedis, testPrefix } from '../helpers/redis.js';

const catalog = {
  'test.echo': { queue: 'test-main', schema: z.strictObject({ n: z.number().int() }), options: { attempts: 3, backoff: { type: 'fixed', delay: 10 } } },
  'test.slow': { queue: 'test-main', schema: z.strictObject({ ms: z.number().int().max(5_000) }), options: { attempts: 1 } },
} satisfies JobCatalog;

const silent = createLogger('silent');
const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('job catalog, producer and workers', () => {
  const prefix = `{${testPrefix()}}`;
  let factory: RedisFactory;
  let producer: JobProducer<typeof catalog>;
  let group: WorkerGroup | undefined;
  const seen: number[] = [];
  const finished: string[] = [];

  before(() => {
    factory = createRedisFactory(TEST_REDIS_URL);
    producer = new JobProducer(catalog, factory.create('client'), prefix);
  });
  after(async () => {
    await group?.close();
    await producer.close();
    await factory.closeAll();
    await deletePrefix(prefix);
  });

  it('refuses to enqueue a payload that does not match the schema', async () => {
    await assert.rejects(
      producer.enqueue('test.echo', { n: 1.5 }),
      (error: unknown) => error instanceof AppError && error.code === 'VALIDATION_FAILED' && error.details?.fields?.[0]?.path === 'n',
    );
    assert.equal(await producer.queue('test-main').count(), 0);
  });

  it('runs valid jobs, fails a malformed payload for good, and keeps working', async () => {
    group = await startWorkers({
      catalog,
      handlers: {
        'test.echo': ({ n }) => {
          seen.push(n);
          return Promise.resolve();
        },
        'test.slow': async ({ ms }) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      redis: factory,
      prefix,
      concurrency: 2,
      logger: silent,
      onJobFinished: (_queue, job, outcome) => finished.push(`${job}:${outcome}`),
    });
    // Bypass the producer, as an older release or a foreign producer could.
    const raw = new Queue('test-main', { connection: factory.create('client'), prefix });
    const bad = await raw.add('test.echo', { n: 'seven' }, { attempts: 3 });
    const unknown = await raw.add('test.unknown', {}, { attempts: 3 });
    await producer.enqueue('test.echo', { n: 7 });
    await until(() => seen.includes(7) && finished.filter((f) => f.endsWith(':failed')).length === 2);
    const failed = await raw.getJob(bad.id ?? '');
    assert.match(failed?.failedReason ?? '', /Invalid payload for "test.echo"/);
    assert.equal(failed?.attemptsMade, 1, 'an unrecoverable payload is not retried');
    assert.match((await raw.getJob(unknown.id ?? ''))?.failedReason ?? '', /No handler for job "test.unknown"/);
    await raw.close();
  });

  it('keeps every key under the hash-tag prefix (one Redis Cluster slot)', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`*test-main*`);
      const ours = keys.filter((k) => k.includes(prefix));
      assert.ok(ours.length > 0);
      assert.ok(ours.every((k) => k.startsWith(`${prefix}:test-main:`)), ours.join(', '));
    } finally {
      redis.disconnect();
    }
  });

  it('drains on close: a running job finishes before close() resolves', async () => {
    const id = await producer.enqueue('test.slow', { ms: 600 });
    const queue = producer.queue('test-main');
    await until(async () => (await queue.getJob(id))?.processedOn !== undefined);
    const started = Date.now();
    await group?.close();
    group = undefined;
    assert.ok(Date.now() - started >= 300, 'close waited for the running job');
    assert.equal(await (await queue.getJob(id))?.getState(), 'completed');
  });
});

describe('Redis start-up checks', () => {
  it('refuses an evicting Redis with a clear fix, unless explicitly allowed', async () => {
    const redis = await startTestRedis();
    const client = new Redis(redis.url);
    try {
      assert.equal(await checkEvictionPolicy(client, false, silent), 'noeviction');
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await assert.rejects(
        checkEvictionPolicy(client, false, silent),
        (error: unknown) =>
          error instanceof StartupError && /maxmemory-policy is "allkeys-lru"/.test(error.message) && /REDIS_ALLOW_EVICTION=true/.test(error.message),
      );
      assert.equal(await checkEvictionPolicy(client, true, silent), 'allkeys-lru');
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('starts a private redis-server when REDIS_URL is unset and nothing answers', async () => {
    const port = await freePort();
    const config = { ...testConfig(), redis: { url: `redis://127.0.0.1:${port}`, explicit: false, allowEviction: false } };
    const resolved = await resolveRedis(config, silent);
    try {
      assert.equal(resolved.embedded, true);
      const client = new Redis(resolved.url);
      assert.equal(await client.ping(), 'PONG');
      client.disconnect();
    } finally {
      await resolved.stop();
    }
  });

  it('exits with one clear line when Redis is unreachable and redis-server is missing', async () => {
    const port = await freePort();
    const config = { ...testConfig(), redis: { url: `redis://127.0.0.1:${port}`, explicit: false, allowEviction: false } };
    await assert.rejects(resolveRedis(config, silent, 'redis-server-not-installed'), {
      name: 'StartupError',
      message: `Redis is not reachable at 127.0.0.1:${port} and redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL=redis://host:port`,
    });
  });

  it('names REDIS_URL when an explicitly configured Redis is unreachable', async () => {
    const port = await freePort();
    const config = { ...testConfig(), redis: { url: `redis://127.0.0.1:${port}`, explicit: true, allowEviction: false } };
    await assert.rejects(resolveRedis(config, silent), new RegExp(`Redis is not reachable at 127.0.0.1:${port} \\(REDIS_URL\\)`));
  });
});
