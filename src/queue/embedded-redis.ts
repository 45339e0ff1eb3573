import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Config } from '../config.js';
import { freePort } from '../db/embedded.js';
import type { Logger } from '../shared/logger.js';
import { StartupError } from '../shared/startup-error.js';
import { pingRedis } from './connection.js';

export interface ResolvedRedis {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$0"', command], { stdio: 'ignore' }).status === 0;
}

async function waitForRedis(url: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await pingRedis(url, 500);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Starts a private, non-persistent redis-server child bound to loopback. */
export async function startPrivateRedis(dir: string, serverCommand = 'redis-server'): Promise<ResolvedRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    serverCommand,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForRedis(url, 10_000);
  return {
    url,
    embedded: true,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The configured Redis; when REDIS_URL is unset and nothing answers on the
 * default address, a private redis-server child if one is installed.
 */
export async function resolveRedis(config: Config, logger: Logger, serverCommand = 'redis-server'): Promise<ResolvedRedis> {
  const { url, explicit } = config.redis;
  try {
    await pingRedis(url);
    return { url, embedded: false, stop: () => Promise.resolve() };
  } catch (error) {
    const where = new URL(url).host;
    if (explicit) throw new StartupError(`Redis is not reachable at ${where} (REDIS_URL): ${(error as Error).message}`);
    if (!onPath(serverCommand)) {
      throw new StartupError(
        `Redis is not reachable at ${where} and redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL=redis://host:port`,
      );
    }
  }
  const dir = `${config.dataDir}/redis`;
  const redis = await startPrivateRedis(dir, serverCommand);
  logger.warn({ url: redis.url }, 'No Redis at the default address and REDIS_URL is unset: started a private redis-server (nothing is persisted)');
  return redis;
}
