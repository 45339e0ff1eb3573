import { Router } from 'express';
import { orgOf } from '../http/api-auth.js';
import type { OrganisationService } from './organisation.service.js';
import type { VenueService } from './venue.service.js';

/** /api/v1: the caller's organisation, its venues and zones. Mounted behind requireApiKey. */
export function tenancyRoutes(deps: { organisations: OrganisationService; venues: VenueService }): Router {
  const { organisations, venues } = deps;
  const router = Router();
  router.get('/organisation', async (_req, res) => {
    res.json(await organisations.getOrganisation(orgOf(res.locals)));
  });
  router.get('/venues', async (_req, res) => {
    res.json({ items: await venues.list(orgOf(res.locals)) });
  });
  router.post('/venues', async (req, res) => {
    res.status(201).json(await venues.create(orgOf(res.locals), req.body));
  });
  router.get('/venues/:venueId', async (req, res) => {
    res.json(await venues.get(orgOf(res.locals), req.params.venueId));
  });
  router.patch('/venues/:venueId', async (req, res) => {
    res.json(await venues.update(orgOf(res.locals), req.params.venueId, req.body));
  });
  router.delete('/venues/:venueId', async (req, res) => {
    await venues.remove(orgOf(res.locals), req.params.venueId);
    res.status(204).end();
  });
  router.get('/venues/:venueId/zones', async (req, res) => {
    res.json({ items: await venues.listZones(orgOf(res.locals), req.params.venueId) });
  });
  router.post('/venues/:venueId/zones', async (req, res) => {
    res.status(201).json(await venues.createZone(orgOf(res.locals), req.params.venueId, req.body));
  });
  router.get('/zones/:zoneId', async (req, res) => {
    res.json(await venues.getZone(orgOf(res.locals), req.params.zoneId));
  });
  router.delete('/zones/:zoneId', async (req, res) => {
    await venues.removeZone(orgOf(res.locals), req.params.zoneId);
    res.status(204).end();
  });
  return router;
}
