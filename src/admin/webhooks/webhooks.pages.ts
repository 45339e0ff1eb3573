import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

/** Webhook endpoints (owners): /admin/webhooks (secret shown once, rotation, test delivery). */
export function webhookPages(_deps: AdminDeps): Router {
  return Router();
}
