import { Router, type RequestHandler } from 'express';
import type { AdminDeps } from '../admin-deps.js';
import { intersectionsView, OVERLAP_PERIODS, overlapQueryOf, parseOverlapQuery } from './intersections.view.js';
import { orgIdOf } from './page-params.js';

/** /admin/intersections: which share of each venue's visitors the organisation's other venues saw too. */
export function intersectionsPages(deps: AdminDeps, analysts: RequestHandler): Router {
  const router = Router();
  const { metrics, venues } = deps.services;

  router.get('/intersections', analysts, async (req, res) => {
    const orgId = orgIdOf(res);
    const period = parseOverlapQuery(req.query);
    const [list, result] = await Promise.all([venues.list(orgId), metrics.intersections(orgId, overlapQueryOf(period, deps.clock.now()))]);
    const named = [...list].sort((a, b) => a.name.localeCompare(b.name)).map((v) => ({ id: v.id, name: v.name, timezone: v.timezone }));
    res.render('admin/analytics/intersections', {
      title: 'Intersections',
      saltHours: deps.config.analytics.saltRotationHours,
      periods: OVERLAP_PERIODS.map((p) => ({ value: p.value, label: p.label, selected: p.value === period })),
      view: intersectionsView(named, result.items, result.period),
    });
  });
  return router;
}
