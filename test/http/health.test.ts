import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { startTestRedis } from '../helpers/redis.js';

describe('health, readiness and metrics', () => {
  let ctx: TestContext;
  let redis: Awaited<ReturnType<typeof startTestRedis>>;

  before(async () => {
    // A private Redis, because this test stops it.
    redis = await startTestRedis();
    ctx = await createTestContext({ redisUrl: redis.url });
    await ctx.redis.ping();
  });
  after(async () => {
    await ctx.close();
    await redis.stop();
  });

  it('answers /healthz while the process is up', async () => {
    const res = await request(ctx.app).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('is ready when PostgreSQL and Redis answer and migrations are applied', async () => {
    const res = await request(ctx.app).get('/readyz').expect(200);
    const body = res.body as { status: string; checks: Record<string, { ok: boolean }> };
    assert.equal(body.status, 'ready');
    assert.deepEqual(Object.fromEntries(Object.entries(body.checks).map(([k, v]) => [k, v.ok])), { postgres: true, redis: true, migrations: true });
  });

  it('reports pending migrations as not ready', async () => {
    await ctx.database.pool.query('DELETE FROM schema_migrations WHERE version = 1');
    try {
      const res = await request(ctx.app).get('/readyz').expect(503);
      const body = res.body as { checks: { migrations: { ok: boolean; error: string } } };
      assert.match(body.checks.migrations.error, /pending migrations: 1/);
    } finally {
      await ctx.database.pool.query(
        "INSERT INTO schema_migrations (version, name, checksum) SELECT 1, 'tenancy', 'restored' WHERE NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = 1)",
      );
    }
  });

  it('exposes Prometheus metrics, labelled by route template', async () => {
    await request(ctx.app).get('/api/v1/venues/123').expect(401);
    const res = await request(ctx.app).get('/metrics').expect(200);
    assert.match(res.headers['content-type'] ?? '', /text\/plain/);
    assert.match(res.text, /passby_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    assert.match(res.text, /passby_process_cpu_seconds_total/);
    assert.doesNotMatch(res.text, /venues\/123/, 'raw paths must not become labels');
  });

  it('turns not ready when Redis stops, while /healthz still answers', async () => {
    await redis.stop();
    const res = await request(ctx.app).get('/readyz').expect(503);
    const body = res.body as { status: string; checks: { redis: { ok: boolean; error: string }; postgres: { ok: boolean } } };
    assert.equal(body.status, 'not ready');
    assert.equal(body.checks.redis.ok, false);
    assert.equal(body.checks.postgres.ok, true);
    await request(ctx.app).get('/healthz').expect(200);
  });
});
