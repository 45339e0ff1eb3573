import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

// Placeholder: the analytics pages of the admin app are built here.
export function analyticsPages(_deps: AdminDeps): Router {
  return Router();
}
