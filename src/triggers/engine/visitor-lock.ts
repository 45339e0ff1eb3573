import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { withTransaction, type Db } from '../../db/pool.js';

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
export function withVisitorLock<T>(db: Db, lockKey: bigint | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(db, work, lockKey === undefined ? 'BEGIN' : `BEGIN; SELECT pg_advisory_xact_lock(${lockKey.toString()})`);
}
