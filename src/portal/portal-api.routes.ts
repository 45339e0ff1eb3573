import { Router } from 'express';
import { orgOf } from '../http/api-auth.js';
import { AppError } from '../shared/errors.js';
import { loginsToCsv, type LoginLogService } from './login-log.service.js';
import type { PortalSettingsService } from './settings.service.js';

/** /api/v1: portal settings and the login log export. */
export function portalApiRoutes(deps: { settings: PortalSettingsService; loginLog: LoginLogService }): Router {
  const router = Router();
  router.get('/portal/settings', async (_req, res) => {
    res.json(await deps.settings.describeOrg(orgOf(res.locals)));
  });
  router.put('/portal/settings', async (req, res) => {
    res.json(await deps.settings.putOrg(orgOf(res.locals), req.body));
  });
  router.get('/venues/:venueId/portal', async (req, res) => {
    res.json(await deps.settings.venue(orgOf(res.locals), req.params.venueId));
  });
  router.put('/venues/:venueId/portal', async (req, res) => {
    res.json(await deps.settings.putVenue(orgOf(res.locals), req.params.venueId, req.body));
  });
  router.get('/portal/logins', async (req, res) => {
    const phone = req.query.phone;
    if (typeof phone !== 'string' || phone.trim() === '') {
      throw new AppError('VALIDATION_FAILED', 'phone: the phone number to export is required', { fields: [{ path: 'phone', message: 'required' }] });
    }
    const records = await deps.loginLog.exportForPhone(orgOf(res.locals), phone);
    if (req.query.format === 'csv') {
      res.type('text/csv').attachment(`logins-${records.phone.slice(1)}.csv`).send(loginsToCsv(records));
      return;
    }
    res.json(records);
  });
  return router;
}
