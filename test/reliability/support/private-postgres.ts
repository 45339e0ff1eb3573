/**
 * A private PostgreSQL cluster for fault tests: its own data directory, port and socket directory in a temp
 * dir, trust auth, so a test may stop, restart or kill it without touching the machine's shared server (CI
 * and other test files use that one concurrently). initdb refuses to run as root, so when the tests run as
 * root every command runs as the `postgres` OS user, in a temp dir chowned to it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../src/db/embedded.js';

export type StopMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  dir: string;
  /** False between a stop and the next start. */
  readonly running: boolean;
  start(): Promise<void>;
  stop(mode?: StopMode): Promise<void>;
  /** pg_ctl restart: the server goes away and comes back on the same port and data. */
  restart(mode?: StopMode): Promise<void>;
  /** Stops the server (immediate) and removes every file; never throws, safe to call twice. */
  destroy(): Promise<void>;
}

/** Where the server binaries are: PATH first (Debian puts wrappers there), else the newest /usr/lib/postgresql/N/bin. */
export function findPostgresBin(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = onPath.status === 0 ? onPath.stdout.trim() : '';
  if (found !== '') {
    const real = spawnSync('readlink', ['-f', found], { encoding: 'utf8' }).stdout.trim();
    return join(real || found, '..');
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const asRoot = userInfo().uid === 0;
const idOf = (flag: '-u' | '-g'): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());

/** As the postgres OS user when we are root (initdb and postgres refuse root), as ourselves otherwise. */
function runAs(bin: string, args: string[], timeoutMs = 60_000): Promise<void> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: timeoutMs, cwd: '/' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${bin} ${args.join(' ')} failed: ${stderr.trim() || stdout.trim() || error.message}`));
      else resolve();
    });
  });
}

/** Polls until a connection answers SELECT 1: pg_ctl -w returns when the postmaster is up, not always when it accepts us. */
export async function waitForPostgres(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * initdb + pg_ctl start on a free loopback port. fsync off: a test cluster never survives a power cut, yet an
 * immediate stop keeps every acknowledged commit. synchronous_commit stays on: with it off, an immediate stop
 * loses commits the client was told about, which is exactly what the fault tests check does not happen.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'passby-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (asRoot) chownSync(dir, idOf('-u'), idOf('-g'));
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pgCtl = join(bin, 'pg_ctl');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=40`;
  let running = false;
  // A crashed test process must not leave a postmaster behind: stop it synchronously on exit.
  const onExit = () => {
    if (running) spawnSync(asRoot ? 'runuser' : pgCtl, asRoot ? ['-u', 'postgres', '--', pgCtl, '-D', data, 'stop', '-m', 'immediate'] : ['-D', data, 'stop', '-m', 'immediate']);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const server: PrivatePostgres = {
    url,
    port,
    dir,
    get running() {
      return running;
    },
    async start() {
      await runAs(pgCtl, ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
      running = true;
      await waitForPostgres(url);
    },
    async stop(mode = 'fast') {
      await runAs(pgCtl, ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    async restart(mode = 'fast') {
      await runAs(pgCtl, ['-D', data, '-l', log, '-o', options, '-m', mode, '-w', '-t', '60', 'restart']);
      running = true;
    },
    async destroy() {
      if (running) await server.stop('immediate').catch(() => undefined);
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await runAs(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-instructions']);
    await server.start();
  } catch (error) {
    await server.destroy();
    throw error;
  }
  return server;
}
