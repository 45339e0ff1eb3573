import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The app under load as a child process (`node bin/passby.js start`: web and workers in one process),
 * so its memory is its own and not mixed with the driver's.
 */
export interface AppProcess {
  pid: number;
  baseUrl: string;
  /** The last lines the app wrote (stderr and stdout), for a failure message. */
  tail(): string;
  /** SIGTERM (graceful drain), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const BIN = fileURLToPath(new URL('../bin/passby.js', import.meta.url));

/** A free loopback port (PORT=0 is not a valid setting). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startAppProcess(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<AppProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [BIN, 'start'], {
    // Only what the caller passes (plus where to listen): the driver's own environment stays out of the app's configuration.
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: baseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state = { gone: false };
  void exited.then(() => {
    state.gone = true;
  });
  const stop = async (graceMs = 20_000): Promise<void> => {
    if (state.gone) return;
    child.kill('SIGTERM');
    // The grace timer is cancelled once the app exits, so it never keeps the driver's process alive.
    const grace = new AbortController();
    const killed = await Promise.race([exited.then(() => false), sleep(graceMs, true, { signal: grace.signal }).catch(() => false)]);
    grace.abort();
    if (killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (state.gone) throw new Error(`the app exited before it was ready:\n${output}`);
    const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop(2_000);
      throw new Error(`the app was not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    await sleep(200);
  }
  if (child.pid === undefined) throw new Error('the app process has no pid');
  return { pid: child.pid, baseUrl, tail: () => output, stop };
}
