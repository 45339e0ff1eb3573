import { Router } from 'express';
import { orgOf } from '../http/api-auth.js';
import type { SensorService } from './sensor.service.js';

/** /api/v1/sensors. Creation answers the ingest token once; only its hash is kept. */
export function sensorRoutes(sensors: SensorService): Router {
  const router = Router();
  router.get('/sensors', async (_req, res) => {
    res.json({ items: await sensors.list(orgOf(res.locals)) });
  });
  router.post('/sensors', async (req, res) => {
    const { sensor, token } = await sensors.create(orgOf(res.locals), req.body);
    res.status(201).json({ ...sensor, token });
  });
  return router;
}
