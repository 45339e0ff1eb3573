import { Router, type Request } from 'express';
import type { AnalyticsConfig } from '../../config.js';
import { AppError } from '../../shared/errors.js';
import type { SensorService } from '../sensor.service.js';
import { readIngestBody } from './ingest.body.js';
import type { IngestService } from './ingest.service.js';

const BATCH_ID = /^[A-Za-z0-9._:-]{1,200}$/;

function batchIdOf(req: Request): string {
  const query = req.query.batch;
  const id = req.get('idempotency-key') ?? (typeof query === 'string' ? query : undefined);
  if (id === undefined || !BATCH_ID.test(id)) {
    const message = id === undefined ? 'required, so a retried batch is stored once' : 'expected 1-200 letters, digits, ".", "_", ":" or "-"';
    throw new AppError('VALIDATION_FAILED', `Idempotency-Key: ${message}`, { fields: [{ path: 'Idempotency-Key', message }] });
  }
  return id;
}

/**
 * POST /api/v1/ingest/probes: probe batches from sensors. Authenticated by the
 * sensor's own token (`Bearer pbs_...`), not an organisation API key, so it is
 * mounted before the organisation API router and reads its own body (NDJSON,
 * gzip, limits). Answers 202 with the batch outcome.
 */
export function ingestRoutes(deps: { sensors: SensorService; ingest: IngestService; analytics: AnalyticsConfig }): Router {
  const router = Router();
  router.post('/ingest/probes', async (req, res) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const sensor = token === undefined ? undefined : await deps.sensors.authenticate(token);
    if (!sensor) throw new AppError('UNAUTHENTICATED', token === undefined ? 'Send the sensor token as "Authorization: Bearer pbs_..."' : 'The sensor token is not valid');
    const batchId = batchIdOf(req);
    const { records, digest } = await readIngestBody(req, deps.analytics.ingest);
    res.status(202).json(await deps.ingest.ingest(sensor, { id: batchId, digest, records }));
  });
  return router;
}
