import { timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '../db/pool.js';
import { AppError } from '../shared/errors.js';
import type { Metrics } from './metrics.js';

export interface HealthDeps {
  db: Db;
  redis: Redis;
  metrics: Metrics;
  pendingMigrations: () => Promise<number[]>;
  /** Bearer token a scraper must send for /metrics; unset: only loopback callers (a scraper on the same host) get it. */
  metricsToken?: string | undefined;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * Metrics name routes, queues and volumes: not for the public. A request a
 * proxy forwarded is never "local", even when the proxy itself is on loopback.
 */
function mayReadMetrics(req: Request, token: string | undefined): void {
  if (token !== undefined) {
    const sent = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new AppError('UNAUTHENTICATED', 'Send the metrics token as "Authorization: Bearer <token>"');
    return;
  }
  const forwarded = req.get('x-forwarded-for') !== undefined || req.get('forwarded') !== undefined;
  if (forwarded || !LOOPBACK.test(req.socket.remoteAddress ?? '')) {
    throw new AppError('FORBIDDEN', 'Metrics are served to this host only; set METRICS_TOKEN to scrape from elsewhere');
  }
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
  router.get('/metrics', async (req, res) => {
    mayReadMetrics(req, deps.metricsToken);
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
