import { Router, type Request, type Response } from 'express';
import { LANGUAGES } from '../../portal/i18n.js';
import type { PortalVenueSettings } from '../../portal/portal.settings.js';
import type { Venue } from '../../tenancy/index.js';
import type { AdminDeps } from '../admin-deps.js';
import type { FieldErrors } from './venue-form.js';
import { noticeOf, orgOf, paramOf, validationFields, venueNav } from './venue-page.js';
import { consentTextsChanged, portalFieldErrors, portalForm, portalInput, readPortalForm, type PortalFormValues } from './venue-portal-form.js';
import { portalModel } from './venue-portal-model.js';
import { draftSettings, PREVIEW_CSP, previewOptions, previewPage, previewSrc, type PreviewOptions } from './venue-preview.js';

const NOTICES: Record<string, string> = {
  saved: 'The portal settings were saved. Visitors see them from their next sign-in.',
};
const CONSENT_CHANGED = 'You changed a text visitors consent to: give the texts a new consent version in the organisation settings, so each consent records the wording the visitor agreed to.';

/** /admin/venues/:venueId/portal: branding, texts and session limits, with a live preview of the real portal page. */
export function venuePortalPages(deps: AdminDeps): Router {
  const router = Router();
  const { venues } = deps.services;
  const settings = deps.portal.settings;

  const render = async (res: Response, status: number, venue: Venue, view: { form?: PortalFormValues; errors?: FieldErrors; notice?: string; consentChanged?: boolean; options?: PreviewOptions }) => {
    const orgId = orgOf(res);
    const [saved, org] = await Promise.all([settings.venue(orgId, venue.id), settings.org(orgId)]);
    const options = view.options ?? previewOptions(undefined);
    res.status(status).render('admin/setup/venue-portal', {
      title: `${venue.name}: portal`,
      venue,
      nav: venueNav(venue, 'portal'),
      notice: view.notice,
      consentNotice: view.consentChanged ? CONSENT_CHANGED : undefined,
      consentVersion: org.settings.consentVersion,
      // After a failed save the preview shows the draft (invalid values fall back to the saved ones).
      previewSrc: previewSrc(venue.id, view.form, options),
      ...portalModel(venue, view.form ?? portalForm(saved), view.errors ?? {}, options),
    });
  };

  router.get('/venues/:venueId/portal', async (req, res) => {
    const venue = await venues.get(orgOf(res), paramOf(req, 'venueId'));
    await render(res, 200, venue, { notice: noticeOf(req, NOTICES), consentChanged: req.query.consent === 'changed' });
  });

  router.post('/venues/:venueId/portal', async (req, res) => {
    const orgId = orgOf(res);
    const venue = await venues.get(orgId, paramOf(req, 'venueId'));
    const form = readPortalForm(req.body);
    const before = await settings.venue(orgId, venue.id);
    let after: PortalVenueSettings;
    try {
      after = await settings.putVenue(orgId, venue.id, portalInput(form));
    } catch (error) {
      await render(res, 400, venue, { form, errors: portalFieldErrors(validationFields(error)), options: previewOptions(req.body) });
      return;
    }
    const consent = consentTextsChanged(before, after) ? '&consent=changed' : '';
    res.redirect(303, `/admin/venues/${venue.id}/portal?done=saved${consent}`);
  });

  /** The draft comes from the query (the iframe's src, updated by the page's script) or from the no-script Preview button's POST. */
  const preview = async (req: Request, res: Response, input: unknown) => {
    const orgId = orgOf(res);
    const { name, settings: saved } = await settings.venueWithName(orgId, paramOf(req, 'venueId'));
    const venue = { orgId, id: paramOf(req, 'venueId'), name };
    const options = previewOptions(input);
    const other = LANGUAGES.find((lang) => lang !== options.lang) ?? 'en';
    const switchUrl = previewSrc(venue.id, readPortalForm(input, portalForm(saved)), { ...options, lang: other });
    const { view, model } = previewPage(venue, draftSettings(input, saved), options, switchUrl);
    res.set({ 'Content-Security-Policy': PREVIEW_CSP, 'Cache-Control': 'no-store' });
    res.render(view, model);
  };
  router.get('/venues/:venueId/portal/preview', (req, res) => preview(req, res, req.query));
  router.post('/venues/:venueId/portal/preview', (req, res) => preview(req, res, req.body));
  return router;
}
