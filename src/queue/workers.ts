import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { z } from 'zod';
import type { Logger } from '../shared/logger.js';
import type { RedisFactory } from './connection.js';
import type { JobCatalog, JobSchedule } from './jobs.js';
import { JobProducer } from './producer.js';

/**
 * How often a worker looks for jobs whose worker died (SIGKILL, OOM, lost host). A dead worker's
 * job is taken back once its lock (BullMQ's 30 s) has expired and two checks have seen it: at
 * BullMQ's default of 30 s that is up to ~90 s after the crash, at 5 s about 40 s (a trigger
 * delivery a minute late misses the visitor it was for). The check is one small script per queue.
 */
export const STALLED_CHECK_MS = 5_000;

export interface JobContext {
  jobId: string;
  attempt: number;
  logger: Logger;
}

export type JobHandler<P> = (payload: P, context: JobContext) => Promise<void>;
export type JobHandlers<C extends JobCatalog> = { [N in keyof C]?: JobHandler<z.output<C[N]['schema']>> };

export interface WorkerGroupOptions<C extends JobCatalog> {
  catalog: C;
  handlers: JobHandlers<C>;
  schedules?: JobSchedule<C>[];
  redis: RedisFactory;
  prefix: string;
  concurrency: number;
  logger: Logger;
  onJobFinished?: (queue: string, job: string, outcome: 'completed' | 'failed') => void;
}

export interface WorkerGroup {
  workers: Worker[];
  /** Stops taking jobs and waits for the running ones to finish (graceful drain). */
  close(): Promise<void>;
}

function createProcessor<C extends JobCatalog>(options: WorkerGroupOptions<C>) {
  return async (job: Job): Promise<void> => {
    const definition = options.catalog[job.name];
    const handler = options.handlers[job.name] as JobHandler<unknown> | undefined;
    if (!definition || !handler) throw new UnrecoverableError(`No handler for job "${job.name}"`);
    const parsed = definition.schema.safeParse(job.data);
    // A malformed payload will never succeed: fail this job for good, keep the worker running.
    if (!parsed.success) throw new UnrecoverableError(`Invalid payload for "${job.name}": ${z.prettifyError(parsed.error)}`);
    const jobId = job.id ?? '';
    await handler(parsed.data, { jobId, attempt: job.attemptsMade + 1, logger: options.logger.child({ jobId, job: job.name }) });
  };
}

export async function startWorkers<C extends JobCatalog>(options: WorkerGroupOptions<C>): Promise<WorkerGroup> {
  const { catalog, prefix, logger } = options;
  const queues = [...new Set(Object.entries(catalog).filter(([name]) => options.handlers[name]).map(([, d]) => d.queue))];
  const processor = createProcessor(options);
  const workers = queues.map((queue) => {
    const worker = new Worker(queue, processor, {
      connection: options.redis.create('worker'),
      prefix,
      concurrency: options.concurrency,
      stalledInterval: STALLED_CHECK_MS,
    });
    worker.on('completed', (job) => options.onJobFinished?.(queue, job.name, 'completed'));
    worker.on('failed', (job, error) => {
      options.onJobFinished?.(queue, job?.name ?? 'unknown', 'failed');
      logger.warn({ queue, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade, reason: error.message }, 'job failed');
    });
    worker.on('error', (error) => logger.error({ queue, err: error }, 'worker error'));
    return worker;
  });
  if (options.schedules?.length) {
    const producer = new JobProducer(catalog, options.redis.create('client'), prefix);
    for (const schedule of options.schedules) {
      const definition = catalog[schedule.job];
      if (!definition) continue;
      await producer
        .queue(definition.queue)
        .upsertJobScheduler(schedule.id, { every: schedule.everyMs }, { name: schedule.job, data: {}, opts: definition.options });
    }
    await producer.close();
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ queues, concurrency: options.concurrency }, 'workers started');
  return {
    workers,
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
