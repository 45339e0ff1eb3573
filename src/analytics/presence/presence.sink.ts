import type { Redis } from 'ioredis';
import { JobProducer } from '../../queue/producer.js';
import { validate } from '../../shared/validate.js';
import { presenceJobCatalog, sightingsJobId, sightingsJobSchema, SIGHTINGS_PER_JOB } from './presence.jobs.js';
import type { PresenceSink, SightingBatch } from './sighting.js';

export interface ClosablePresenceSink extends PresenceSink {
  close(): Promise<void>;
}

/**
 * The ingest side: each batch becomes `presence.sightings` job(s) whose ids
 * derive from the batch key, so a batch ingest retries is tracked once.
 * Resolves once the jobs are in Redis; an invalid batch is refused with
 * VALIDATION_FAILED before anything is queued.
 */
export function createPresenceSink(deps: { redis: Redis; prefix: string }): ClosablePresenceSink {
  const producer = new JobProducer(presenceJobCatalog, deps.redis, deps.prefix);
  return {
    async record(batch: SightingBatch) {
      const { sightings, ...where } = batch;
      const chunks: SightingBatch['sightings'][] = [];
      for (let i = 0; i < sightings.length; i += SIGHTINGS_PER_JOB) chunks.push(sightings.slice(i, i + SIGHTINGS_PER_JOB));
      // Validate every chunk first: a batch is queued whole or not at all (up to Redis failing mid-way).
      for (const chunk of chunks) validate(sightingsJobSchema, { ...where, sightings: chunk }, 'batch');
      await Promise.all(chunks.map((chunk, i) => producer.enqueue('presence.sightings', { ...where, sightings: chunk }, { jobId: sightingsJobId(batch, i) })));
    },
    close: () => producer.close(),
  };
}
