import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

/** Gateways and sensors (owners): /admin/gateways (config to paste), /admin/sensors (token once, last seen, probes per minute). */
export function deviceSetupPages(_deps: AdminDeps): Router {
  return Router();
}
