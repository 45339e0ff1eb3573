import { Router, type Response } from 'express';
import { fromDbError } from '../../db/errors.js';
import { AppError } from '../../shared/errors.js';
import type { Venue } from '../../tenancy/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { problemsOf, stringField } from './venue-form.js';
import { noticeOf, orgOf, paramOf, validationFields, venueNav } from './venue-page.js';

const NOTICES: Record<string, string> = {
  added: 'The zone was added.',
  deleted: 'The zone was deleted. Its gateways and sensors stay in the venue, without a zone.',
};

/** /admin/venues/:venueId/zones: list, add and delete the venue's zones. */
export function venueZonesPages(deps: AdminDeps): Router {
  const router = Router();
  const { venues, gateways, sensors } = deps.services;

  const render = async (res: Response, status: number, venue: Venue, view: { name?: string; error?: string; notice?: string }) => {
    const orgId = orgOf(res);
    const [zones, allGateways, allSensors] = await Promise.all([venues.listZones(orgId, venue.id), gateways.list(orgId), sensors.list(orgId)]);
    res.status(status).render('admin/setup/zones', {
      title: `${venue.name}: zones`,
      venue,
      nav: venueNav(venue, 'zones'),
      zones: zones.map((zone) => ({
        ...zone,
        gateways: allGateways.filter((g) => g.zoneId === zone.id).length,
        sensors: allSensors.filter((s) => s.zoneId === zone.id).length,
      })),
      ...view,
    });
  };

  router.get('/venues/:venueId/zones', async (req, res) => {
    const venue = await venues.get(orgOf(res), paramOf(req, 'venueId'));
    await render(res, 200, venue, { notice: noticeOf(req, NOTICES) });
  });

  router.post('/venues/:venueId/zones', async (req, res) => {
    const orgId = orgOf(res);
    const venue = await venues.get(orgId, paramOf(req, 'venueId'));
    const name = stringField(req.body, 'name');
    try {
      await venues.createZone(orgId, venue.id, { name });
      res.redirect(303, `/admin/venues/${venue.id}/zones?done=added`);
    } catch (error) {
      // Zone names are unique within a venue: the database's unique index answers as a conflict.
      const mapped = fromDbError(error);
      const fields = validationFields(mapped, ['VALIDATION_FAILED', 'CONFLICT']);
      const conflict = mapped instanceof AppError && mapped.code === 'CONFLICT';
      const message = conflict ? 'This venue already has a zone with this name.' : (problemsOf(fields)[0]?.message ?? 'The name is not valid.');
      await render(res, conflict ? 409 : 400, venue, { name, error: message });
    }
  });

  router.post('/venues/:venueId/zones/:zoneId/delete', async (req, res) => {
    const orgId = orgOf(res);
    const venue = await venues.get(orgId, paramOf(req, 'venueId'));
    const zone = await venues.getZone(orgId, paramOf(req, 'zoneId'));
    if (zone.venueId !== venue.id) throw new AppError('NOT_FOUND', 'Zone not found');
    await venues.removeZone(orgId, zone.id);
    res.redirect(303, `/admin/venues/${venue.id}/zones?done=deleted`);
  });
  return router;
}
