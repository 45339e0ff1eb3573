import { Router, type RequestHandler } from 'express';
import { seriesToCsv } from '../../analytics/metrics/metrics.service.js';
import { requireStaff } from '../../staff/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { calibrationPages } from './calibration.pages.js';
import { dashboardView, formOptions, metricsQueryOf, parseDashboardQuery } from './dashboard.view.js';
import { intersectionsPages } from './intersections.pages.js';
import { orgIdOf, venueIdOf } from './page-params.js';

/** Analysts and owners: venue dashboards (charts rendered on the server, the series as CSV), cross-venue intersections, calibration. */
export function analyticsPages(deps: AdminDeps): Router {
  const router = Router();
  const analysts = requireStaff('owner', 'analyst');
  router.use(dashboardPages(deps, analysts), intersectionsPages(deps, analysts), calibrationPages(deps, analysts));
  return router;
}

function dashboardPages(deps: AdminDeps, analysts: RequestHandler): Router {
  const router = Router();
  const { metrics, venues, analyticsSettings } = deps.services;

  router.get('/venues/:venueId/dashboard', analysts, async (req, res) => {
    const orgId = orgIdOf(res);
    const venueId = venueIdOf(req);
    const choice = parseDashboardQuery(req.query);
    const zones = (await venues.listZones(orgId, venueId)).map((z) => ({ id: z.id, name: z.name }));
    const form = formOptions(choice, zones);
    if (choice.intervalError) {
      const venue = await venues.get(orgId, venueId);
      res.status(400).render('admin/analytics/dashboard', { title: `${venue.name} dashboard`, venue, form, choice });
      return;
    }
    const now = deps.clock.now();
    const [result, settings] = await Promise.all([metrics.venueMetrics(orgId, venueId, metricsQueryOf(choice, now)), analyticsSettings.settingsFor(orgId, venueId)]);
    res.render('admin/analytics/dashboard', {
      title: `${result.venue.name} dashboard`,
      venue: result.venue,
      form,
      choice,
      view: dashboardView(result, choice, { zones, bounceSeconds: settings.bounceSeconds, now: now.getTime() / 1000 }),
    });
  });

  router.get('/venues/:venueId/dashboard.csv', analysts, async (req, res) => {
    const choice = parseDashboardQuery(req.query);
    const result = await metrics.venueMetrics(orgIdOf(res), venueIdOf(req), metricsQueryOf(choice, deps.clock.now()));
    const zone = choice.zone ? `-zone-${choice.zone}` : '';
    res.type('text/csv').attachment(`footfall-${result.venue.id}${zone}-${choice.period}-${choice.interval}.csv`).send(seriesToCsv(result.series));
  });
  return router;
}
