import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from '../../src/db/embedded.js';
import { PASSBY_BIN } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { deletePrefix, startTestRedis, testPrefix } from '../helpers/redis.js';

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

async function startPassby(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [PASSBY_BIN, 'start'], { env: { PATH: process.env.PATH ?? '', ...env } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Passby is running on')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`passby start did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output, exited };
}

describe('passby start (web + workers in one process)', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let base: string;
  const prefix = testPrefix();

  before(async () => {
    db = await createTestDatabase({ migrated: false });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      PUBLIC_URL: base,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      SECRET_KEY: TEST_SECRET_KEY,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'passby-run-')),
    };
  });
  after(async () => {
    await db.drop();
    await deletePrefix(prefix);
  });

  it('migrates, seeds a demo organisation once, serves, and exits cleanly on SIGTERM', async () => {
    const first = await startPassby(env);
    const apiKey = /API key\s+(pbk_\S+)/.exec(first.output())?.[1];
    const password = /email demo@passby\.local\s+password (\S+)/.exec(first.output())?.[1];
    assert.ok(apiKey && password, first.output());

    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    const venues = (await (await fetch(`${base}/api/v1/venues`, { headers: { Authorization: `Bearer ${apiKey}` } })).json()) as { items: { name: string }[] };
    assert.deepEqual(venues.items.map((v) => v.name), ['Demo High Street Café']);
    assert.doesNotMatch(first.output(), new RegExp(`"${apiKey}"`), 'the key is announced, never logged as a field');

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.match(first.output(), /SIGTERM received: finishing running work/);

    // A restart finds the data and does not seed again.
    const second = await startPassby(env);
    assert.doesNotMatch(second.output(), /Created a demo organisation/);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });

  const exitOf = async (overrides: Record<string, string>): Promise<{ code: number | null; stderr: string }> => {
    const child = spawn(process.execPath, [PASSBY_BIN, 'start'], { env: { PATH: process.env.PATH ?? '', ...env, ...overrides } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stderr: stderr.trim() };
  };

  it('exits with one clear line (code 69) when the configured Redis is unreachable', async () => {
    const port = await freePort();
    const result = await exitOf({ REDIS_URL: `redis://127.0.0.1:${port}` });
    assert.deepEqual(result, { code: 69, stderr: `passby: Redis is not reachable at 127.0.0.1:${port} (REDIS_URL): connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('refuses a Redis that may evict jobs, and starts when REDIS_ALLOW_EVICTION=true', async () => {
    const redis = await startTestRedis();
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
      const refused = await exitOf({ REDIS_URL: redis.url });
      assert.equal(refused.code, 69);
      assert.match(refused.stderr, /^passby: Redis maxmemory-policy is "volatile-lru", but queued jobs need "noeviction"/);
      const allowed = await startPassby({ ...env, REDIS_URL: redis.url, REDIS_ALLOW_EVICTION: 'true' });
      assert.match(allowed.output(), /REDIS_ALLOW_EVICTION=true: starting anyway/);
      allowed.child.kill('SIGTERM');
      assert.equal(await allowed.exited, 0);
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });
});
