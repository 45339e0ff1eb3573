import type { Redis } from 'ioredis';
import { newId } from '../../shared/ids.js';

/**
 * A per-organisation token in Redis that changes whenever a rule or the
 * trigger settings change, so every process's rule cache notices on its next
 * evaluation. A fresh random token (not a counter) cannot repeat an old value
 * after Redis loses its data.
 */
export interface RulesVersionNotifier {
  bump(orgId: string): Promise<void>;
}

export interface RulesVersionStore extends RulesVersionNotifier {
  /** null: nothing changed since Redis last lost its data (or ever). */
  current(orgId: string): Promise<string | null>;
}

export const rulesVersionKey = (queuePrefix: string, orgId: string): string => `${queuePrefix}:triggers:rules-version:${orgId}`;

export function redisRulesVersion(redis: Redis, queuePrefix: string): RulesVersionStore {
  return {
    async bump(orgId) {
      await redis.set(rulesVersionKey(queuePrefix, orgId), newId());
    },
    current: (orgId) => redis.get(rulesVersionKey(queuePrefix, orgId)),
  };
}
