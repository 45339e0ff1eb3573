import { ProbeMaintenance, type RollupService } from './analytics/index.js';
import { createPresenceHandlers, type PresenceService } from './analytics/presence/index.js';
import type { AnalyticsConfig } from './config.js';
import type { Db } from './db/pool.js';
import type { PassbyJobs } from './queue/jobs.js';
import type { JobHandlers } from './queue/workers.js';
import type { Clock } from './shared/clock.js';
import { LoginLogService } from './portal/index.js';
import { purgeExpiredSessions } from './staff/index.js';
import type { Triggers } from './triggers/index.js';

/** What each catalog job does; features add their handlers here as they land. */
export interface JobHandlerDeps {
  db: Db;
  clock: Clock;
  analytics: AnalyticsConfig;
  rollup: RollupService;
  presence: PresenceService;
  triggers: Triggers;
}

export function createJobHandlers(deps: JobHandlerDeps): JobHandlers<PassbyJobs> {
  return {
    ...createPresenceHandlers(deps.presence),
    'presence.event': deps.triggers.engine.handlePresenceEvent,
    'trigger.event': deps.triggers.engine.handleEvent,
    'trigger.deliver': deps.triggers.engine.handleDelivery,
    'maintenance.purge-sessions': async (_payload, { logger }) => {
      const purged = await purgeExpiredSessions(deps.db, deps.clock.now());
      logger.info({ purged }, 'purged expired staff sessions');
    },
    'portal.purge-logins': async (_payload, { logger }) => {
      const purged = await new LoginLogService(deps).purgeExpired();
      logger.info({ purged }, 'purged portal login records past their retention');
    },
    'analytics.probe-maintenance': async (_payload, { logger }) => {
      const result = await new ProbeMaintenance(deps).run();
      logger.info(result, 'probe partitions and salts maintained');
    },
    'analytics.rollup': async (_payload, { logger }) => {
      const results = await deps.rollup.rollupAll();
      const sessions = results.reduce((sum, r) => sum + r.sessions, 0);
      if (results.length > 0) logger.info({ venues: new Set(results.map((r) => r.venueId)).size, steps: results.length, sessions }, 'probes rolled up into sessions');
    },
  };
}
