import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import { seriesToCsv, type MetricsService } from './metrics.service.js';

/** /api/v1 analytics metrics: JSON, or CSV of the series with `.csv` (or ?format=csv). */
export function metricsRoutes(metrics: MetricsService): Router {
  const router = Router();
  router.get('/venues/:venueId/metrics', async (req, res) => {
    const result = await metrics.venueMetrics(orgOf(res.locals), req.params.venueId, queryWithoutFormat(req.query));
    if (req.query.format === 'csv') {
      res.type('text/csv').attachment(`footfall-${result.venue.id}.csv`).send(seriesToCsv(result.series));
      return;
    }
    res.json(result);
  });
  router.get('/venues/:venueId/metrics.csv', async (req, res) => {
    const result = await metrics.venueMetrics(orgOf(res.locals), req.params.venueId, req.query);
    res.type('text/csv').attachment(`footfall-${result.venue.id}.csv`).send(seriesToCsv(result.series));
  });
  router.get('/analytics/intersections', async (req, res) => {
    res.json(await metrics.intersections(orgOf(res.locals), req.query));
  });
  return router;
}

function queryWithoutFormat(query: Record<string, unknown>): Record<string, unknown> {
  const { format: _format, ...rest } = query;
  return rest;
}
