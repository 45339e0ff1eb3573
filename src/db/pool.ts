import pg from 'pg';
import type { Logger } from '../shared/logger.js';

export type Db = pg.Pool;
/** Anything that runs a query: the pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export function createPool(url: string, size: number, logger: Logger): Db {
  const pool = new pg.Pool({ connectionString: url, max: size, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // An idle client losing its server emits here; without a listener Node would crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection failed'));
  return pool;
}

/**
 * `begin` may add statements to the BEGIN round trip (e.g. taking an advisory lock); never input text.
 * A connection lost mid-transaction (PostgreSQL restarting) rejects the pending query; the client is then
 * destroyed, not handed back to the pool for the next caller to find broken.
 */
export async function withTransaction<T>(pool: Db, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  // pg-pool listens for a checked-out client's errors no longer: without this, the 'error' a lost connection
  // emits would be unhandled and take the whole process down.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (lost === undefined) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        lost = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
    }
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}
