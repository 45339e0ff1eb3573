import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { JobCatalog, JobDefinition, JobSchedule } from '../../queue/jobs.js';
import { idSchema } from '../../shared/ids.js';
import { deviceHashSchema, presenceEventSchema } from './presence-event.js';
import type { SightingBatch } from './sighting.js';

/**
 * The presence jobs, as a fragment of the job catalog (merged into
 * `jobCatalog` by the composition root). Payloads carry device hashes and
 * visitor ids, never MACs.
 */
export const PRESENCE_QUEUE = 'presence';
/** Consumed by the trigger engine: one `presence.event` job per event, job id = event id. */
export const PRESENCE_EVENTS_QUEUE = 'presence-events';
/** Sightings per job: a large ingest batch is split so one job stays small and quick to retry. */
export const SIGHTINGS_PER_JOB = 5_000;

export const sightingsJobSchema = z.strictObject({
  orgId: idSchema,
  venueId: idSchema,
  zoneId: idSchema.nullable(),
  sensorId: idSchema,
  batchKey: z.string().min(1).max(300),
  sightings: z
    .array(
      z.strictObject({
        deviceHash: deviceHashSchema,
        visitorId: idSchema,
        ts: z.number().positive(),
        rssi: z.number().min(-150).max(30),
      }),
    )
    .min(1)
    .max(SIGHTINGS_PER_JOB),
});

export type SightingsJob = z.output<typeof sightingsJobSchema>;

const defineJob = <S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> => definition;

export const presenceJobCatalog = {
  'presence.sightings': defineJob({
    queue: PRESENCE_QUEUE,
    schema: sightingsJobSchema,
    // Kept an hour so a batch that ingest retries is dropped by job id; the tracker ignores replays beyond that.
    options: { attempts: 8, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 3600, count: 20_000 }, removeOnFail: { age: 7 * 24 * 3600 } },
  }),
  'presence.sweep': defineJob({
    queue: PRESENCE_QUEUE,
    schema: z.strictObject({}),
    options: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { age: 24 * 3600 } },
  }),
  'presence.event': defineJob({
    queue: PRESENCE_EVENTS_QUEUE,
    schema: presenceEventSchema,
    options: { attempts: 8, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 14 * 24 * 3600 } },
  }),
} satisfies JobCatalog;

export type PresenceJobs = typeof presenceJobCatalog;

export const PRESENCE_SWEEP_EVERY_MS = 30_000;

export const presenceJobSchedules: JobSchedule<PresenceJobs>[] = [{ id: 'presence-sweep', job: 'presence.sweep', everyMs: PRESENCE_SWEEP_EVERY_MS }];

/** The same ingest batch (and chunk) always maps to the same job id, so BullMQ drops a retried batch. */
export function sightingsJobId(batch: Pick<SightingBatch, 'orgId' | 'venueId' | 'batchKey'>, chunk: number): string {
  const digest = createHash('sha256').update(`${batch.orgId}|${batch.venueId}|${batch.batchKey}`).digest('hex').slice(0, 32);
  return `sightings-${digest}-${chunk}`;
}
