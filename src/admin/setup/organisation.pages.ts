import { Router } from 'express';
import { requireStaff } from '../../staff/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { apiKeyPages } from './api-keys.pages.js';
import { settingsPages } from './settings.pages.js';
import { staffPages } from './staff.pages.js';

/** Organisation settings, staff users and API keys (owners): /admin/settings, /admin/staff, /admin/api-keys. */
export function organisationPages(deps: AdminDeps): Router {
  const router = Router();
  router.use(['/settings', '/staff', '/api-keys'], requireStaff('owner'));
  router.use(settingsPages(deps), staffPages(deps), apiKeyPages(deps));
  return router;
}
