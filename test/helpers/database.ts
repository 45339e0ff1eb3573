import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { createPool, type Db } from '../../src/db/pool.js';
import { createLogger } from '../../src/shared/logger.js';
import { TEST_DATABASE_URL } from './env.js';

export interface TestDatabase {
  name: string;
  url: string;
  pool: Db;
  drop(): Promise<void>;
}

const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops databases left by test runs that crashed hours ago (their name carries the creation time). */
async function dropStale(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'passby\\_t\\_%'");
  for (const { datname } of rows) {
    const created = Number(datname.split('_')[2]);
    if (Number.isFinite(created) && Date.now() - created > STALE_AFTER_MS) {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => undefined);
    }
  }
}

/** A fresh database per test file (migrated unless asked not to), so files run in parallel and beside a running product. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `passby_t_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await admin(async (client) => {
    await dropStale(client);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  });
  const target = new URL(TEST_DATABASE_URL);
  target.pathname = `/${name}`;
  const url = target.toString();
  const pool = createPool(url, 5, createLogger('silent'));
  if (options.migrated !== false) await migrate(pool);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}
