import { Router } from 'express';
import { requireStaff } from '../../staff/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { gatewayPages } from './gateway.pages.js';
import { sensorPages } from './sensor.pages.js';

/** Gateways and sensors (owners): /admin/gateways (config to paste), /admin/sensors (token once, last seen, probes per minute). */
export function deviceSetupPages(deps: AdminDeps): Router {
  const router = Router();
  const ownersOnly = requireStaff('owner');
  router.use('/gateways', ownersOnly, gatewayPages(deps));
  router.use('/sensors', ownersOnly, sensorPages(deps));
  return router;
}
