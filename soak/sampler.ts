import { readFile } from 'node:fs/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** One sample a second: the app process's memory (from outside it) and every queue's depth. */
export interface Sample {
  /** Seconds since the sampler started. */
  t: number;
  rssMb: number;
  /** From the app's own /metrics (V8 heap used); NaN when the scrape failed. */
  heapMb: number;
  /** waiting + active + delayed (+ prioritized), per queue. */
  depth: Record<string, number>;
  /** Waiting or running now (delayed excluded: the idle queues hold their schedulers' next runs there). */
  busy: Record<string, number>;
}

export interface Sampler {
  samples: Sample[];
  /** One sample now (also used for the baseline before the load and the final state). */
  sampleNow(): Promise<Sample>;
  stop(): Promise<void>;
}

const MB = 1024 * 1024;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

async function heapMb(baseUrl: string): Promise<number> {
  const text = await fetch(`${baseUrl}/metrics`).then((r) => r.text(), () => '');
  const value = /^passby_nodejs_heap_size_used_bytes\s+([\d.e+]+)/m.exec(text)?.[1];
  return value === undefined ? Number.NaN : Number(value) / MB;
}

export function startSampler(options: { pid: number; baseUrl: string; redis: Redis; prefix: string; queues: string[]; everyMs?: number }): Sampler {
  const queues = options.queues.map((name) => new Queue(name, { connection: options.redis, prefix: options.prefix }));
  const started = performance.now();
  const samples: Sample[] = [];
  const sampleNow = async (): Promise<Sample> => {
    const t = (performance.now() - started) / 1000;
    const [rss, heap, counts] = await Promise.all([
      rssMb(options.pid),
      heapMb(options.baseUrl),
      Promise.all(queues.map(async (q) => [q.name, await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')] as const)),
    ]);
    const pick = (c: Record<string, number>, keys: string[]) => keys.reduce((sum, k) => sum + (c[k] ?? 0), 0);
    return {
      t,
      rssMb: rss,
      heapMb: heap,
      depth: Object.fromEntries(counts.map(([q, c]) => [q, pick(c, ['waiting', 'active', 'delayed', 'prioritized'])])),
      busy: Object.fromEntries(counts.map(([q, c]) => [q, pick(c, ['waiting', 'active', 'prioritized'])])),
    };
  };
  const state = { running: true };
  // Sequential (never overlapping) so a slow scrape under load delays the next sample instead of piling up.
  const loop = (async () => {
    while (state.running) {
      const next = performance.now() + (options.everyMs ?? 1_000);
      samples.push(await sampleNow());
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
  })();
  return {
    samples,
    sampleNow,
    async stop() {
      state.running = false;
      await loop;
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
