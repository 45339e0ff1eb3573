import { Router } from 'express';
import { requireStaff } from '../staff/index.js';
import type { AdminDeps } from './admin-deps.js';
import { analyticsPages } from './analytics/analytics.pages.js';
import { triggersPages } from './triggers/triggers.pages.js';
import { visitorsPages } from './visitors/visitors.pages.js';

export type { AdminDeps } from './admin-deps.js';

/**
 * The admin web app under /admin, on the staff session (login, CSRF and the
 * form parser come from the staff router it is mounted in). Each area guards
 * its own pages by role.
 */
export function adminRoutes(deps: AdminDeps): Router {
  const router = Router();
  router.use(requireStaff(), analyticsPages(deps), triggersPages(deps), visitorsPages(deps));
  return router;
}
