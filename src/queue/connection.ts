import { Redis, type RedisOptions } from 'ioredis';

/**
 * The one place Redis connections are made. Every connection made here is
 * closed by `closeAll()` on shutdown.
 */
export interface RedisFactory {
  readonly url: string;
  /** Workers need `maxRetriesPerRequest: null` (BullMQ blocks on them); clients fail fast instead. */
  create(kind: 'client' | 'worker'): Redis;
  closeAll(): Promise<void>;
}

export function createRedisFactory(url: string): RedisFactory {
  const open = new Set<Redis>();
  return {
    url,
    create(kind) {
      const options: RedisOptions =
        kind === 'worker'
          ? { maxRetriesPerRequest: null, enableReadyCheck: true }
          : { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5_000 };
      const redis = new Redis(url, { ...options, lazyConnect: false });
      // Errors also surface on the command that failed; this listener keeps
      // ioredis from printing every reconnect attempt as an unhandled error.
      redis.on('error', () => undefined);
      open.add(redis);
      redis.once('end', () => open.delete(redis));
      return redis;
    },
    async closeAll() {
      await Promise.all([...open].map((redis) => redis.quit().catch(() => redis.disconnect())));
      open.clear();
    },
  };
}

/** One PING with a deadline, on a connection that gives up instead of retrying. */
export async function pingRedis(url: string, timeoutMs = 2_000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis rejects with a bare "Connection is closed."; the socket error says why.
  let cause: Error | undefined;
  redis.on('error', (error: Error) => {
    cause ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    redis.disconnect();
  }
}
