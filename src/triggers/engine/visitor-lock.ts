import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Db } from '../../db/pool.js';

/**
 * Evaluations of one visitor are serialised by a transaction-scoped advisory
 * lock, so cooldowns and the daily cap hold across concurrent events.
 */
export function visitorLockKey(orgId: string, visitorId: string): bigint {
  return createHash('sha256').update(`trigger:${orgId}:${visitorId}`).digest().readBigInt64BE(0);
}

/**
 * A transaction that holds the lock from its first round trip: BEGIN and the lock
 * travel as one simple query (the key is a number computed here, never input text).
 */
export async function withVisitorLock<T>(db: Db, lockKey: bigint | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query(lockKey === undefined ? 'BEGIN' : `BEGIN; SELECT pg_advisory_xact_lock(${lockKey.toString()})`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
