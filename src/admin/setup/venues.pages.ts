import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

/** Venues (owners): create and edit venues, opening hours, zones, portal branding and texts with a live preview. */
export function venueSetupPages(_deps: AdminDeps): Router {
  return Router();
}
