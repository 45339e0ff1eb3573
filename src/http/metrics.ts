import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per process (not prom-client's global), so tests can build many apps side by side. */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  jobsFinished: Counter<'queue' | 'job' | 'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'passby_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'passby_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'passby_jobs_finished_total',
      help: 'Queue jobs finished, by outcome',
      labelNames: ['queue', 'job', 'outcome'],
      registers: [registry],
    }),
  };
}

/** Labels by route template (`/api/v1/venues/:venueId`), never the raw path, to keep cardinality bounded. */
export function measureRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const template = req.route ? `${req.baseUrl}${(req.route as { path: string }).path}` : 'unmatched';
      stop({ method: req.method, route: template, status: String(res.statusCode) });
    });
    next();
  };
}
