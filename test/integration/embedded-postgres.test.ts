import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveDatabase } from '../../src/db/connect.js';
import { freePort } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool, withTransaction } from '../../src/db/pool.js';
import { createServices } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { testConfig } from '../helpers/context.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';

describe('database resolution', () => {
  it('falls back to embedded PostgreSQL (PGlite) when DATABASE_URL is unset and nothing answers, and says so', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'passby-pglite-'));
    const config = { ...testConfig({ DATA_DIR: dataDir }), database: { url: `postgres://postgres@127.0.0.1:${port}/passby`, explicit: false, poolSize: 4 } };
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream);
    const resolved = await resolveDatabase(config, logger);
    const pool = createPool(resolved.url, 4, logger);
    try {
      assert.equal(resolved.embedded, true);
      assert.ok(lines.some((l) => l.includes('using embedded PostgreSQL (PGlite)')), lines.join('\n'));
      // The same pg code runs: migrations under the advisory lock, services, transactions, concurrent queries.
      await migrate(pool);
      const services = createServices({ db: pool, clock: systemClock, secretKey: TEST_SECRET_KEY });
      const { organisation, apiKey } = await services.organisations.createOrganisation('Embedded');
      await Promise.all(['A', 'B', 'C'].map((name) => services.venues.create(organisation.id, { name, timezone: 'UTC' })));
      assert.equal((await services.venues.list(organisation.id)).length, 3);
      assert.equal((await services.organisations.authenticateApiKey(apiKey))?.orgId, organisation.id);
      await assert.rejects(
        withTransaction(pool, async (client) => {
          await client.query("INSERT INTO organisations (id, name) VALUES (gen_random_uuid(), 'rolled back')");
          throw new Error('abort');
        }),
      );
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM organisations WHERE name = 'rolled back'");
      assert.equal(rows[0]?.n, 0);
    } finally {
      await pool.end();
      await resolved.stop();
    }
  });

  it('does not fall back when DATABASE_URL is set: it names the server it could not reach', async () => {
    const port = await freePort();
    const config = { ...testConfig(), database: { url: `postgres://postgres@127.0.0.1:${port}/passby`, explicit: true, poolSize: 2 } };
    await assert.rejects(resolveDatabase(config, createLogger('silent')), new RegExp(`Cannot use PostgreSQL at 127.0.0.1:${port}/passby`));
  });
});
