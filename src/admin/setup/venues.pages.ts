import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';
import { venueDetailsPages } from './venue-details.pages.js';
import { owners } from './venue-page.js';
import { venuePortalPages } from './venue-portal.pages.js';
import { venueZonesPages } from './venue-zones.pages.js';

/** Venues (owners): create and edit venues, opening hours, zones, portal branding and texts with a live preview. */
export function venueSetupPages(deps: AdminDeps): Router {
  const router = Router();
  // The venue dashboards (/admin/venues/:id/dashboard) are routed before this and guard themselves.
  router.use('/venues', owners);
  router.use(venueDetailsPages(deps), venueZonesPages(deps), venuePortalPages(deps));
  return router;
}
