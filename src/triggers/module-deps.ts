import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

/** What every part of the trigger engine is built from (the composition root passes it once). */
export interface TriggerModuleDeps {
  config: Config;
  db: Db;
  /** A 'client' connection: rule-cache versions, the event queue producer. */
  redis: Redis;
  clock: Clock;
  secretKey: string;
  logger: Logger;
}
