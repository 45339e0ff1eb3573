import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import type { VisitorService } from './visitor.service.js';

/** /api/v1/visitors (behind the API key): lookup, CRM attributes, consent, export, erasure. */
export function visitorRoutes(visitors: VisitorService): Router {
  const router = Router();
  router.get('/visitors', async (req, res) => {
    res.json({ visitor: await visitors.byPhone(orgOf(res.locals), req.query.phone) });
  });
  router.get('/visitors/:id', async (req, res) => {
    res.json(await visitors.get(orgOf(res.locals), req.params.id));
  });
  router.patch('/visitors/:id/attributes', async (req, res) => {
    res.json(await visitors.updateAttributes(orgOf(res.locals), req.params.id, req.body));
  });
  router.get('/visitors/:id/consents', async (req, res) => {
    res.json({ items: await visitors.consents(orgOf(res.locals), req.params.id) });
  });
  router.post('/visitors/:id/consents', async (req, res) => {
    res.status(201).json(await visitors.changeConsent(orgOf(res.locals), req.params.id, req.body));
  });
  router.get('/visitors/:id/export', async (req, res) => {
    res.json(await visitors.export(orgOf(res.locals), req.params.id));
  });
  router.delete('/visitors/:id', async (req, res) => {
    await visitors.erase(orgOf(res.locals), req.params.id);
    res.status(204).end();
  });
  return router;
}
