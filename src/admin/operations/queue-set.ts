import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobCatalog } from '../../queue/jobs.js';

/** Every queue of the job catalog, in catalog order. */
export const CATALOG_QUEUES: readonly string[] = [...new Set(Object.values(jobCatalog).map((d) => d.queue))];

export interface QueueSet {
  /** The queues, opened on first use (most app instances never show them). */
  queues(): Queue[];
  /** Failed jobs per queue, in catalog order. */
  failedCounts(): Promise<{ queue: string; failed: number }[]>;
}

/** Read handles on the catalog's queues over the app's shared connection (BullMQ leaves a shared connection open). */
export function createQueueSet(redis: Redis, prefix: string): QueueSet {
  let opened: Queue[] | undefined;
  const queues = (): Queue[] =>
    (opened ??= CATALOG_QUEUES.map((name) => {
      // Read handles: they must not write the queue's metadata (workers and producers own it).
      const queue = new Queue(name, { connection: redis, prefix, skipMetasUpdate: true });
      // Connection trouble surfaces on the command that failed; without a listener it would crash the process.
      queue.on('error', () => undefined);
      return queue;
    }));
  return {
    queues,
    async failedCounts() {
      return Promise.all(queues().map(async (q) => ({ queue: q.name, failed: (await q.getJobCounts('failed')).failed ?? 0 })));
    },
  };
}
