import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import type { EventIntake } from './event-intake.service.js';
import type { LogService } from './log.service.js';

/** /api/v1: events in (POST /events) and the decision log (GET /decisions). Behind requireApiKey. */
export function eventsRoutes(deps: { intake: EventIntake; log: LogService }): Router {
  const router = Router();
  router.post('/events', async (req, res) => {
    res.status(202).json(await deps.intake.accept(orgOf(res.locals), req.body));
  });
  router.get('/decisions', async (req, res) => {
    res.json(await deps.log.decisions(orgOf(res.locals), req.query));
  });
  return router;
}
