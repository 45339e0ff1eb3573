import { Router, type Response } from 'express';
import { fieldProblems } from '../../shared/validate.js';
import { venueInputSchema } from '../../tenancy/tenancy.schemas.js';
import type { Venue } from '../../tenancy/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { analyticsFieldErrors, analyticsForm, analyticsFormModel, analyticsInput, readAnalyticsForm, type AnalyticsFormValues } from './venue-analytics-form.js';
import { newVenueForm, parseHours, readVenueForm, venueFieldErrors, venueForm, venueFormModel, venueInput, type FieldErrors, type VenueFormValues } from './venue-form.js';
import { noticeOf, orgOf, paramOf, validationFields, venueNav } from './venue-page.js';

const DEFAULT_TIMEZONE = 'Europe/London';

const NOTICES: Record<string, string> = {
  created: 'The venue was created. Next: add its zones and set up the Wi-Fi portal.',
  saved: 'The venue details were saved.',
  analytics: 'The analytics settings were saved. They apply to data processed from now on.',
};

/**
 * The hours text is checked first; when it does not parse, the rest of the
 * form is still checked against the same schema the service uses, so the
 * owner sees every problem at once and nothing is saved.
 */
function detailsProblems(form: VenueFormValues): { input: Record<string, unknown>; errors: FieldErrors } {
  const { openingHours, errors } = parseHours(form);
  const input = venueInput(form, openingHours);
  if (Object.keys(errors).length === 0) return { input, errors };
  const checked = venueInputSchema.safeParse(input);
  return { input, errors: checked.success ? errors : { ...venueFieldErrors(fieldProblems(checked.error)), ...errors } };
}

/** /admin/venues/new, the venue settings page (details, opening hours, analytics settings) and deleting a venue. */
export function venueDetailsPages(deps: AdminDeps): Router {
  const router = Router();
  const { venues, analyticsSettings, gateways, sensors } = deps.services;

  const renderNew = (res: Response, status: number, form: VenueFormValues, errors: FieldErrors): void => {
    res.status(status).render('admin/setup/venue-settings', { title: 'New venue', creating: true, action: '/admin/venues', ...venueFormModel(form, errors) });
  };

  const renderSettings = async (res: Response, status: number, venue: Venue, view: { form?: VenueFormValues; errors?: FieldErrors; analytics?: AnalyticsFormValues; analyticsErrors?: FieldErrors; notice?: string }) => {
    const analytics = view.analytics ?? analyticsForm(await analyticsSettings.settingsFor(orgOf(res), venue.id));
    res.status(status).render('admin/setup/venue-settings', {
      title: `${venue.name}: settings`,
      venue,
      nav: venueNav(venue, 'settings'),
      action: `/admin/venues/${venue.id}/settings`,
      notice: view.notice,
      ...venueFormModel(view.form ?? venueForm(venue), view.errors ?? {}),
      ...analyticsFormModel(analytics, view.analyticsErrors ?? {}),
    });
  };

  // The list lives on the home page; this answers a reload of the address a failed "create" left in the bar.
  router.get('/venues', (_req, res) => res.redirect(303, '/admin'));

  router.get('/venues/new', async (_req, res) => {
    // A new venue most likely shares the time zone of the organisation's other venues.
    const existing = await venues.list(orgOf(res));
    renderNew(res, 200, newVenueForm(existing[0]?.timezone ?? DEFAULT_TIMEZONE), {});
  });

  router.post('/venues', async (req, res) => {
    const form = readVenueForm(req.body);
    const { input, errors } = detailsProblems(form);
    if (Object.keys(errors).length > 0) {
      renderNew(res, 400, form, errors);
      return;
    }
    try {
      const venue = await venues.create(orgOf(res), input);
      res.redirect(303, `/admin/venues/${venue.id}/settings?done=created`);
    } catch (error) {
      renderNew(res, 400, form, venueFieldErrors(validationFields(error)));
    }
  });

  router.get('/venues/:venueId/settings', async (req, res) => {
    const venue = await venues.get(orgOf(res), paramOf(req, 'venueId'));
    await renderSettings(res, 200, venue, { notice: noticeOf(req, NOTICES) });
  });

  router.post('/venues/:venueId/settings', async (req, res) => {
    const orgId = orgOf(res);
    const venue = await venues.get(orgId, paramOf(req, 'venueId'));
    const form = readVenueForm(req.body);
    const { input, errors } = detailsProblems(form);
    if (Object.keys(errors).length > 0) {
      await renderSettings(res, 400, venue, { form, errors });
      return;
    }
    try {
      await venues.update(orgId, venue.id, input);
      res.redirect(303, `/admin/venues/${venue.id}/settings?done=saved`);
    } catch (error) {
      await renderSettings(res, 400, venue, { form, errors: venueFieldErrors(validationFields(error)) });
    }
  });

  router.post('/venues/:venueId/analytics', async (req, res) => {
    const orgId = orgOf(res);
    const venue = await venues.get(orgId, paramOf(req, 'venueId'));
    const analytics = readAnalyticsForm(req.body);
    try {
      await analyticsSettings.put(orgId, venue.id, analyticsInput(analytics));
      res.redirect(303, `/admin/venues/${venue.id}/settings?done=analytics`);
    } catch (error) {
      await renderSettings(res, 400, venue, { analytics, analyticsErrors: analyticsFieldErrors(validationFields(error)) });
    }
  });

  router.get('/venues/:venueId/delete', async (req, res) => {
    const orgId = orgOf(res);
    const venue = await venues.get(orgId, paramOf(req, 'venueId'));
    const [zones, allGateways, allSensors] = await Promise.all([venues.listZones(orgId, venue.id), gateways.list(orgId), sensors.list(orgId)]);
    res.render('admin/setup/venue-delete', {
      title: `Delete ${venue.name}`,
      venue,
      zones: zones.length,
      gateways: allGateways.filter((g) => g.venueId === venue.id).length,
      sensors: allSensors.filter((s) => s.venueId === venue.id).length,
    });
  });

  router.post('/venues/:venueId/delete', async (req, res) => {
    await venues.remove(orgOf(res), paramOf(req, 'venueId'));
    res.redirect(303, '/admin?done=venue-deleted');
  });
  return router;
}
