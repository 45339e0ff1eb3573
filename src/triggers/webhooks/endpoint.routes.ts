import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import type { EndpointService } from './endpoint.service.js';

/** /api/v1/webhook-endpoints. Secrets appear only in the answers to creation and rotation. */
export function endpointRoutes(endpoints: EndpointService): Router {
  const router = Router();
  router.get('/webhook-endpoints', async (_req, res) => {
    res.json({ items: await endpoints.list(orgOf(res.locals)) });
  });
  router.post('/webhook-endpoints', async (req, res) => {
    res.status(201).json(await endpoints.create(orgOf(res.locals), req.body));
  });
  router.get('/webhook-endpoints/:id', async (req, res) => {
    res.json(await endpoints.get(orgOf(res.locals), req.params.id));
  });
  router.patch('/webhook-endpoints/:id', async (req, res) => {
    res.json(await endpoints.update(orgOf(res.locals), req.params.id, req.body));
  });
  router.delete('/webhook-endpoints/:id', async (req, res) => {
    await endpoints.delete(orgOf(res.locals), req.params.id);
    res.status(204).end();
  });
  router.post('/webhook-endpoints/:id/rotate-secret', async (req, res) => {
    res.json(await endpoints.rotateSecret(orgOf(res.locals), req.params.id, req.body));
  });
  return router;
}
