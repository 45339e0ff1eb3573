import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { requireStaff } from '../staff/index.js';
import type { AdminDeps } from './admin-deps.js';
import { analyticsPages } from './analytics/analytics.pages.js';
import { operationsPages } from './operations/operations.pages.js';
import { deviceSetupPages } from './setup/devices.pages.js';
import { organisationPages } from './setup/organisation.pages.js';
import { venueSetupPages } from './setup/venues.pages.js';
import { triggersPages } from './triggers/triggers.pages.js';
import { visitorsPages } from './visitors/visitors.pages.js';
import { webhookPages } from './webhooks/webhooks.pages.js';

export type { AdminDeps } from './admin-deps.js';

/** Small progressive-enhancement scripts (the CSP allows same-origin scripts only, never inline ones). */
const ASSETS_DIR = fileURLToPath(new URL('../../public/admin/', import.meta.url));

/**
 * The admin web app under /admin, on the staff session (login, CSRF and the
 * form parser come from the staff router it is mounted in). Each area guards
 * its own pages by role.
 */
export function adminRoutes(deps: AdminDeps): Router {
  const router = Router();
  router.use('/assets', express.static(ASSETS_DIR, { maxAge: '1h' }));
  router.use(
    requireStaff(),
    analyticsPages(deps),
    triggersPages(deps),
    visitorsPages(deps),
    organisationPages(deps),
    venueSetupPages(deps),
    deviceSetupPages(deps),
    webhookPages(deps),
    operationsPages(deps),
  );
  return router;
}
