import { Router } from 'express';
import { orgOf } from '../http/api-auth.js';
import type { AnalyticsSettingsService } from './analytics-settings.service.js';

/** /api/v1/venues/:venueId/analytics-settings, behind the organisation API key. */
export function analyticsSettingsRoutes(settings: AnalyticsSettingsService): Router {
  const router = Router();
  router.get('/venues/:venueId/analytics-settings', async (req, res) => {
    res.json(await settings.settingsFor(orgOf(res.locals), req.params.venueId));
  });
  router.put('/venues/:venueId/analytics-settings', async (req, res) => {
    res.json(await settings.put(orgOf(res.locals), req.params.venueId, req.body));
  });
  return router;
}
