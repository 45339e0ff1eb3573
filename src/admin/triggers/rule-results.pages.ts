import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';
import { PERIODS, resultsView } from './rule-results.view.js';
import { staffOf } from './triggers.pages.js';

const DEFAULT_PERIOD = '30';

/** GET /rules/:id/results?period=7|30|90: what the rule did, and whether messaging made visitors come back. */
export function ruleResultsPages(deps: AdminDeps): Router {
  const router = Router();
  router.get('/rules/:id/results', async (req, res) => {
    const { orgId } = staffOf(res);
    const asked = typeof req.query.period === 'string' ? req.query.period : DEFAULT_PERIOD;
    const valid = (PERIODS as readonly string[]).includes(asked);
    const period = valid ? asked : DEFAULT_PERIOD;
    const [rule, results] = await Promise.all([deps.triggers.rules.service.get(orgId, req.params.id), deps.triggers.results.results(orgId, req.params.id, { days: period })]);
    res.status(valid ? 200 : 400).render('admin/triggers/results', {
      title: `Results: ${rule.name}`,
      rule,
      days: period,
      periodError: valid ? undefined : 'Choose 7, 30 or 90 days.',
      periods: PERIODS.map((p) => ({ value: p, selected: p === period })),
      ...resultsView(results),
    });
  });
  return router;
}
