import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { AppError } from '../shared/errors.js';
import type { JobCatalog } from './jobs.js';
import { queueFailure } from './queue-errors.js';

/** Adds jobs by catalog name, refusing payloads that do not match the schema. */
export class JobProducer<C extends JobCatalog> {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly catalog: C,
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      // Without a listener BullMQ console.error()s every reconnect attempt while Redis is down (unstructured
      // stderr noise); a failed add still rejects, as a 503 (see queueFailure).
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  queueNames(): string[] {
    return [...new Set(Object.values(this.catalog).map((d) => d.queue))];
  }

  async enqueue<N extends keyof C & string>(name: N, payload: z.input<C[N]['schema']>, options?: JobsOptions): Promise<string> {
    const definition = this.catalog[name];
    if (!definition) throw new AppError('VALIDATION_FAILED', `Unknown job "${name}"`);
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) {
      throw new AppError('VALIDATION_FAILED', `Invalid payload for job "${name}"`, {
        fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    try {
      const job = await this.queue(definition.queue).add(name, parsed.data, { ...definition.options, ...options });
      return job.id ?? '';
    } catch (error) {
      // Redis down or restarting: say so (503, retry later) instead of an unexplained 500.
      throw queueFailure(error, name);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
