import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { Services } from '../services.js';
import type { Clock } from '../shared/clock.js';
import type { Triggers } from '../triggers/index.js';

/** What the admin pages are built from: the same services the API uses, never their own SQL beyond a repository. */
export interface AdminDeps {
  config: Config;
  db: Db;
  clock: Clock;
  services: Services;
  triggers: Triggers;
}
