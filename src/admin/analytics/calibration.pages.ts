import { Router, type RequestHandler, type Response } from 'express';
import type { CountKind } from '../../analytics/metrics/calibration.js';
import { isAppError, notFound } from '../../shared/errors.js';
import type { Venue } from '../../tenancy/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { countsToCsv, templateCsv } from './calibration-csv.js';
import { emptyUpload, problemsOf, readUpload, uploadInput, type UploadErrors, type UploadForm } from './calibration-form.js';
import { calibrationResult, KIND_LABELS, uploadRow } from './calibration.view.js';
import { orgIdOf, venueIdOf } from './page-params.js';

const isKind = (value: unknown): value is CountKind => value === 'footfall' || value === 'occupancy';

/** /admin/venues/:venueId/calibration: upload manual counts, see the fitted calibration and its error. */
export function calibrationPages(deps: AdminDeps, analysts: RequestHandler): Router {
  const router = Router();
  const { calibration, venues } = deps.services;

  const render = async (res: Response, venue: Venue, view: { status: number; form: UploadForm; errors: UploadErrors; notice?: string }): Promise<void> => {
    const { status, form, errors, notice } = view;
    const stored = await calibration.list(orgIdOf(res), venue.id);
    res.status(status).render('admin/analytics/calibration', {
      title: `${venue.name} calibration`,
      venue,
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      kinds: (['footfall', 'occupancy'] as const).map((value) => ({ value, selected: value === form.kind })),
      methods: (['auto', 'factor', 'linear'] as const).map((value) => ({ value, selected: value === form.method })),
      notice,
      results: stored.map((s) => calibrationResult(s, venue.timezone)),
      uploads: stored.map((s) => uploadRow(s, venue.timezone)),
    });
  };

  router.get('/venues/:venueId/calibration', analysts, async (req, res) => {
    const venue = await venues.get(orgIdOf(res), venueIdOf(req));
    const uploaded = req.query.uploaded;
    const notice = isKind(uploaded) ? `The ${KIND_LABELS[uploaded].toLowerCase()} counts were uploaded and fitted: the result is below, and the dashboard uses it from now on.` : undefined;
    await render(res, venue, { status: 200, form: emptyUpload(), errors: {}, notice });
  });

  router.post('/venues/:venueId/calibration', analysts, async (req, res) => {
    const orgId = orgIdOf(res);
    const venue = await venues.get(orgId, venueIdOf(req));
    const form = readUpload(req.body);
    const input = uploadInput(form, venue.timezone);
    if (!input.ok) {
      await render(res, venue, { status: 400, form, errors: input.errors });
      return;
    }
    try {
      const report = await calibration.upload(orgId, venue.id, input.body);
      res.redirect(303, `/admin/venues/${venue.id}/calibration?uploaded=${report.kind}#${report.kind}-result`);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      await render(res, venue, { status: 400, form, errors: problemsOf(error.details?.fields ?? [], input.lines) });
    }
  });

  router.get('/venues/:venueId/calibration/template.csv', analysts, async (req, res) => {
    const venue = await venues.get(orgIdOf(res), venueIdOf(req));
    res.type('text/csv').attachment('manual-counts-template.csv').send(templateCsv(deps.clock.now(), venue.timezone));
  });

  router.get('/venues/:venueId/calibration/:kind.csv', analysts, async (req, res) => {
    const orgId = orgIdOf(res);
    const venue = await venues.get(orgId, venueIdOf(req));
    const stored = (await calibration.list(orgId, venue.id)).find((s) => s.kind === req.params.kind);
    if (!stored) throw notFound('Manual counts');
    res.type('text/csv').attachment(`manual-counts-${stored.kind}-${venue.id}.csv`).send(countsToCsv(stored.counts, stored.report.intervalSeconds, venue.timezone));
  });
  return router;
}
