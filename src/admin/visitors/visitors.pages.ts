import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

// Placeholder: the visitors pages of the admin app are built here.
export function visitorsPages(_deps: AdminDeps): Router {
  return Router();
}
