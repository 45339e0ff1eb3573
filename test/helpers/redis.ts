import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startPrivateRedis, type ResolvedRedis } from '../../src/queue/embedded-redis.js';
import { TEST_REDIS_URL } from './env.js';

/** A key prefix of its own for each test file on the shared Redis. */
export function testPrefix(): string {
  return `passby-t-${randomBytes(4).toString('hex')}`;
}

/** Every key matching a pattern, by SCAN (not KEYS, so a busy Redis is not blocked). */
export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under a prefix, over an open connection. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, `${prefix}*`);
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

/** Deletes every key under a prefix. */
export async function deletePrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    await deleteKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** A private redis-server child, for tests that stop Redis or change its settings. */
export async function startTestRedis(): Promise<ResolvedRedis> {
  return startPrivateRedis(mkdtempSync(join(tmpdir(), 'passby-redis-')));
}
