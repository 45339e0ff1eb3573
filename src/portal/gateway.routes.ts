import { Router } from 'express';
import { orgOf } from '../http/api-auth.js';
import type { GatewayService } from './gateway.service.js';

/** /api/v1/gateways. Creation answers the openNDS faskey once; reads never show secrets. */
export function gatewayRoutes(gateways: GatewayService): Router {
  const router = Router();
  router.get('/gateways', async (_req, res) => {
    res.json({ items: await gateways.list(orgOf(res.locals)) });
  });
  router.post('/gateways', async (req, res) => {
    res.status(201).json(await gateways.create(orgOf(res.locals), req.body));
  });
  return router;
}
