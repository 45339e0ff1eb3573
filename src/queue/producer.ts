import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { AppError } from '../shared/errors.js';
import type { JobCatalog } from './jobs.js';

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
    const job = await this.queue(definition.queue).add(name, parsed.data, { ...definition.options, ...options });
    return job.id ?? '';
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
