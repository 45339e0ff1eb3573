import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

// Placeholder: the triggers pages of the admin app are built here.
export function triggersPages(_deps: AdminDeps): Router {
  return Router();
}
