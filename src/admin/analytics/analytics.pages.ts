import { Router, type Request, type Response } from 'express';
import { seriesToCsv } from '../../analytics/metrics/metrics.service.js';
import { requireStaff } from '../../staff/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { dashboardView, formOptions, metricsQueryOf, parseDashboardQuery } from './dashboard.view.js';

function orgIdOf(res: Response): string {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff.orgId;
}

function venueIdOf(req: Request): string {
  const id = req.params.venueId;
  return typeof id === 'string' ? id : '';
}

/** Venue dashboards for analysts and owners: charts rendered on the server, and the same series as CSV. */
export function analyticsPages(deps: AdminDeps): Router {
  const router = Router();
  const analysts = requireStaff('owner', 'analyst');
  const { metrics, venues } = deps.services;

  router.get('/venues/:venueId/dashboard', analysts, async (req, res) => {
    const orgId = orgIdOf(res);
    const choice = parseDashboardQuery(req.query);
    const form = formOptions(choice);
    if (choice.intervalError) {
      const venue = await venues.get(orgId, venueIdOf(req));
      res.status(400).render('admin/analytics/dashboard', { title: `${venue.name} dashboard`, venue, form, choice });
      return;
    }
    const result = await metrics.venueMetrics(orgId, venueIdOf(req), metricsQueryOf(choice, deps.clock.now()));
    res.render('admin/analytics/dashboard', {
      title: `${result.venue.name} dashboard`,
      venue: result.venue,
      form,
      choice,
      view: dashboardView(result, choice),
    });
  });

  router.get('/venues/:venueId/dashboard.csv', analysts, async (req, res) => {
    const choice = parseDashboardQuery(req.query);
    const result = await metrics.venueMetrics(orgIdOf(res), venueIdOf(req), metricsQueryOf(choice, deps.clock.now()));
    res.type('text/csv').attachment(`footfall-${result.venue.id}-${choice.period}-${choice.interval}.csv`).send(seriesToCsv(result.series));
  });
  return router;
}
