import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import type { CalibrationService } from './calibration.service.js';

/** /api/v1/venues/:venueId/calibration: upload manual counts, see the fit and its error. */
export function calibrationRoutes(calibration: CalibrationService): Router {
  const router = Router();
  router.get('/venues/:venueId/calibration', async (req, res) => {
    res.json({ items: await calibration.list(orgOf(res.locals), req.params.venueId) });
  });
  router.put('/venues/:venueId/calibration', async (req, res) => {
    res.json(await calibration.upload(orgOf(res.locals), req.params.venueId, req.body));
  });
  return router;
}
