import type { Db } from './db/pool.js';
import type { PassbyJobs } from './queue/jobs.js';
import type { JobHandlers } from './queue/workers.js';
import type { Clock } from './shared/clock.js';
import { LoginLogService } from './portal/index.js';
import { purgeExpiredSessions } from './staff/index.js';

/** What each catalog job does; features add their handlers here as they land. */
export function createJobHandlers(deps: { db: Db; clock: Clock }): JobHandlers<PassbyJobs> {
  return {
    'maintenance.purge-sessions': async (_payload, { logger }) => {
      const purged = await purgeExpiredSessions(deps.db, deps.clock.now());
      logger.info({ purged }, 'purged expired staff sessions');
    },
    'portal.purge-logins': async (_payload, { logger }) => {
      const purged = await new LoginLogService(deps).purgeExpired();
      logger.info({ purged }, 'purged portal login records past their retention');
    },
  };
}
