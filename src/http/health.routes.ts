import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '../db/pool.js';
import type { Metrics } from './metrics.js';

export interface HealthDeps {
  db: Db;
  redis: Redis;
  metrics: Metrics;
  pendingMigrations: () => Promise<number[]>;
}

type Check = { ok: true; ms: number } | { ok: false; ms: number; error: string };

async function timed(work: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process answers. /readyz: it can do its work (PostgreSQL, Redis, schema up to date). */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [postgres, redis, migrations] = await Promise.all([
      timed(() => deps.db.query('SELECT 1'), 2_000),
      timed(async () => {
        // A client that is reconnecting would queue the PING until it gives up: answer at once instead.
        if (deps.redis.status !== 'ready') throw new Error(`connection is ${deps.redis.status}`);
        await deps.redis.ping();
      }, 2_000),
      timed(async () => {
        const pending = await deps.pendingMigrations();
        if (pending.length > 0) throw new Error(`pending migrations: ${pending.join(', ')}`);
      }, 2_000),
    ]);
    const checks = { postgres, redis, migrations };
    const ready = postgres.ok && redis.ok && migrations.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
