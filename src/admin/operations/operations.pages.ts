import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

/** Operations (owners): /admin/queues (Bull Board) and /admin/errors (recent errors). */
export function operationsPages(_deps: AdminDeps): Router {
  return Router();
}
