import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { Portal } from '../portal/index.js';
import type { Services } from '../services.js';
import type { Clock } from '../shared/clock.js';
import type { Triggers } from '../triggers/index.js';

/** What the admin pages are built from: the same services the API uses, never their own SQL beyond a repository. */
export interface AdminDeps {
  config: Config;
  db: Db;
  /** The app's shared connection: queue health (Bull Board) and the recent-errors log read through it. */
  redis: Redis;
  clock: Clock;
  services: Services;
  /** Portal settings (organisation and venue texts, branding) and the login log. */
  portal: Portal;
  triggers: Triggers;
}
