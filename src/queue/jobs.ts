import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import { presenceJobCatalog, presenceJobSchedules } from '../analytics/presence/index.js';
import { triggerJobCatalog } from '../triggers/triggers.jobs.js';

/**
 * The typed job catalog: every job name maps to its queue, payload schema and
 * retry policy. Producers validate before enqueueing and workers validate
 * again on receipt (a payload may come from an older release or another
 * producer). Payloads are clear text in Redis: never put raw MACs, phone
 * numbers or codes in them; pass ids instead.
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  queue: string;
  schema: S;
  options: JobsOptions;
}

export type JobCatalog = Record<string, JobDefinition>;

export interface JobSchedule<C extends JobCatalog> {
  /** Stable scheduler id: upserting the same id replaces, never duplicates. */
  id: string;
  job: keyof C & string;
  everyMs: number;
}

const defineJob = <S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> => definition;

const keepHistory = { removeOnComplete: { count: 1_000, age: 24 * 3600 }, removeOnFail: { age: 14 * 24 * 3600 } };

export const jobCatalog = {
  'maintenance.purge-sessions': defineJob({
    queue: 'maintenance',
    schema: z.object({}).strict(),
    options: { attempts: 3, backoff: { type: 'exponential', delay: 30_000 }, ...keepHistory },
  }),
  'portal.purge-logins': defineJob({
    queue: 'maintenance',
    schema: z.object({}).strict(),
    options: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, ...keepHistory },
  }),
  /** Creates the coming days' probe partitions, drops expired days whole, deletes ended salts. */
  'analytics.probe-maintenance': defineJob({
    queue: 'maintenance',
    schema: z.object({}).strict(),
    options: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, ...keepHistory },
  }),
  /** Turns newly stored probes into sessions (what every dashboard metric is computed from). */
  'analytics.rollup': defineJob({
    queue: 'analytics',
    schema: z.object({}).strict(),
    options: { attempts: 2, backoff: { type: 'fixed', delay: 30_000 }, removeOnComplete: { count: 200 }, removeOnFail: { age: 7 * 24 * 3600 } },
  }),
  ...presenceJobCatalog,
  ...triggerJobCatalog,
} satisfies JobCatalog;

export type PassbyJobs = typeof jobCatalog;

export const jobSchedules: JobSchedule<PassbyJobs>[] = [
  { id: 'purge-sessions', job: 'maintenance.purge-sessions', everyMs: 60 * 60 * 1000 },
  { id: 'purge-portal-logins', job: 'portal.purge-logins', everyMs: 6 * 60 * 60 * 1000 },
  // Hourly: a salt is deleted at most an hour after its grace ends, and the next day's partition exists days ahead.
  // Dashboards lag the probes by at most this plus the rollup's settle time (two minutes).
  { id: 'analytics-rollup', job: 'analytics.rollup', everyMs: 60 * 1000 },
  { id: 'analytics-probe-maintenance', job: 'analytics.probe-maintenance', everyMs: 60 * 60 * 1000 },
  ...presenceJobSchedules,
];
