import { Router } from 'express';
import { readRecentErrors, type RecentError } from '../../shared/recent-errors.js';
import { requireStaff } from '../../staff/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { stamp, staffOrg } from '../webhooks/webhook-view.js';
import { queueBoard } from './queue-board.js';
import { requireOperator } from './operator.guard.js';
import { createQueueSet } from './queue-set.js';

const FAILED_WINDOW_HOURS = 24;

const errorRow = (e: RecentError) => ({ ...e, at: stamp(e.at), fatal: e.level === 'fatal', reference: e.requestId ?? e.jobId });

/** Operations (installation operators): /admin/queues (Bull Board) and /admin/errors (recent errors). */
export function operationsPages(deps: AdminDeps): Router {
  const router = Router();
  const owner = [requireStaff('owner'), requireOperator({ operatorEmails: deps.config.operatorEmails, organisations: deps.services.organisations })];
  const prefix = deps.config.queue.prefix;
  const queues = createQueueSet(deps.redis, prefix);

  router.use('/queues', ...owner, ...queueBoard(queues, deps.config.publicUrl.startsWith('https:')));

  router.get('/errors', ...owner, async (_req, res) => {
    const [entries, failedJobs, failedDeliveries] = await Promise.all([
      readRecentErrors(deps.redis, prefix),
      queues.failedCounts(),
      deps.triggers.webhooks.service.failedDeliveries(staffOrg(res), FAILED_WINDOW_HOURS),
    ]);
    res.set('Cache-Control', 'no-store').render('admin/operations/errors', {
      title: 'Recent errors',
      entries: entries.map(errorRow),
      failedJobs,
      totalFailedJobs: failedJobs.reduce((sum, q) => sum + q.failed, 0),
      failedDeliveries,
      windowHours: FAILED_WINDOW_HOURS,
    });
  });
  return router;
}
