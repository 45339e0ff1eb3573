import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

/** Organisation settings, staff users and API keys (owners): /admin/settings, /admin/staff, /admin/api-keys. */
export function organisationPages(_deps: AdminDeps): Router {
  return Router();
}
