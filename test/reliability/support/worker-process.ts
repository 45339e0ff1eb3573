import { spawn, type ChildProcess } from 'node:child_process';
import { PASSBY_BIN } from '../../helpers/cli.js';

/**
 * The real `passby worker` as a child process (bin/passby.js, its own
 * environment), so a test can SIGKILL it mid-job the way a crash or the OOM
 * killer would, and start another.
 */
export interface WorkerProcess {
  pid: number;
  /** Everything it wrote (logs go to stderr), for failure messages. */
  output(): string;
  /** Resolves once its log says the workers are started; rejects if it exits first or after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited(): boolean;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [PASSBY_BIN, 'worker'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'test', LOG_LEVEL: 'info', DEMO_SEED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let hasExited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exit.then(() => (hasExited = true));
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  return {
    pid: child.pid ?? -1,
    output: () => output,
    exited: () => hasExited,
    ready(timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`passby worker not ready within ${timeoutMs} ms:\n${output}`)), timeoutMs);
        const poll = setInterval(() => {
          if (output.includes('workers started')) finish();
          else if (hasExited) finish(new Error(`passby worker exited before it was ready:\n${output}`));
        }, 50);
        function finish(error?: Error): void {
          clearTimeout(timer);
          clearInterval(poll);
          if (error) reject(error);
          else resolve();
        }
      });
    },
    async kill(signal = 'SIGKILL') {
      if (hasExited) return;
      child.kill(signal);
      await exit;
    },
  };
}
