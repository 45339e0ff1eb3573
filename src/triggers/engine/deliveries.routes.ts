import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import type { LogService } from './log.service.js';

/** /api/v1: the delivery log, one delivery with its attempt log, and replays. Behind requireApiKey. */
export function deliveriesRoutes(log: LogService): Router {
  const router = Router();
  router.get('/deliveries', async (req, res) => {
    res.json(await log.deliveries(orgOf(res.locals), req.query));
  });
  router.get('/deliveries/:id', async (req, res) => {
    res.json(await log.delivery(orgOf(res.locals), req.params.id));
  });
  router.post('/deliveries/:id/replay', async (req, res) => {
    res.status(202).json(await log.replay(orgOf(res.locals), req.params.id));
  });
  return router;
}
