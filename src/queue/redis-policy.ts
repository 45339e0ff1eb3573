import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { StartupError } from '../shared/startup-error.js';

/**
 * BullMQ keeps jobs as ordinary keys: under any eviction policy but
 * `noeviction`, Redis may silently drop queued jobs when memory runs short.
 */
export async function checkEvictionPolicy(redis: Redis, allowEviction: boolean, logger: Logger): Promise<string | undefined> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch (error) {
    // Managed Redis services often disable CONFIG; we cannot tell, so say so.
    logger.warn({ err: error }, 'could not read Redis maxmemory-policy (CONFIG GET refused); make sure it is noeviction');
    return undefined;
  }
  if (policy === 'noeviction') return policy;
  const message =
    `Redis maxmemory-policy is "${policy ?? 'unknown'}", but queued jobs need "noeviction" or Redis may drop them under memory pressure. ` +
    'Fix: redis-cli CONFIG SET maxmemory-policy noeviction (and set it in redis.conf), or set REDIS_ALLOW_EVICTION=true to start anyway.';
  if (!allowEviction) throw new StartupError(message);
  logger.warn({ policy }, `REDIS_ALLOW_EVICTION=true: starting anyway. ${message}`);
  return policy;
}
