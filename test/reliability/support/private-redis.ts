import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/db/embedded.js';
import { pingRedis } from '../../../src/queue/connection.js';

/**
 * A private redis-server for fault tests: killed and started again on the SAME
 * port and directory, so clients keep their URL and reconnect by themselves.
 * It persists with AOF and fsync on every write (`--appendfsync always`), as a
 * production Redis behind BullMQ must: a job Redis acknowledged survives a
 * crash. The shared Redis on 6379 is never touched.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL (a crash: nothing flushed beyond what fsync already wrote) or SIGTERM (a clean stop). */
  stop(signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts again on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  running(): boolean;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

async function waitForPing(url: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await pingRedis(url, 500);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export async function startRestartableRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'passby-redis-fault-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    if (child) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'];
    const spawned = spawn('redis-server', args, { stdio: 'ignore' });
    child = spawned;
    exited = new Promise<void>((resolve) => spawned.once('exit', () => resolve()));
    // A child that dies by itself (e.g. the port taken) is forgotten, so running() tells the truth.
    void exited.then(() => {
      if (child === spawned) child = undefined;
    });
    await waitForPing(url, 15_000);
  };

  const stop = async (signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> => {
    const running = child;
    if (!running) return;
    running.kill(signal);
    await exited;
    child = undefined;
  };

  await start();
  return {
    url,
    port,
    stop,
    start,
    running: () => child !== undefined,
    async destroy() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
