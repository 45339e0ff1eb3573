import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadMigrations, migrate, pendingMigrations } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/pool.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const MIGRATIONS = fileURLToPath(new URL('../../src/db/migrations/', import.meta.url));

/** Everything that defines the schema, in a stable order, to compare before and after. */
async function schemaSnapshot(db: TestDatabase): Promise<string> {
  const parts = await Promise.all([
    db.pool.query(
      "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
    ),
    db.pool.query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"),
    db.pool.query("SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1"),
    db.pool.query('SELECT version, name, checksum FROM schema_migrations ORDER BY version'),
  ]);
  return JSON.stringify(parts.map((p): unknown => p.rows));
}

function copyMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), 'passby-migrations-'));
  for (const file of readdirSync(MIGRATIONS)) writeFileSync(join(dir, file), readFileSync(join(MIGRATIONS, file)));
  return dir;
}

describe('migrations', () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  after(() => db.drop());

  it('applies every migration to an empty database, then a second run changes nothing', async () => {
    assert.deepEqual(await pendingMigrations(db.pool), loadMigrations().map((m) => m.version));
    const first = await migrate(db.pool);
    assert.deepEqual(first.applied.map((m) => m.version), loadMigrations().map((m) => m.version));
    const snapshot = await schemaSnapshot(db);
    const second = await migrate(db.pool);
    assert.deepEqual(second.applied, []);
    assert.equal(second.current, first.current);
    assert.equal(await schemaSnapshot(db), snapshot);
    assert.deepEqual(await pendingMigrations(db.pool), []);
  });

  it('lets several processes migrate at once: the advisory lock applies each migration once', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    const pools = [1, 2, 3, 4].map(() => createPool(fresh.url, 2, createLogger('silent')));
    try {
      const results = await Promise.all(pools.map((pool) => migrate(pool)));
      const appliedCounts = results.map((r) => r.applied.length).sort();
      assert.deepEqual(appliedCounts, [0, 0, 0, loadMigrations().length]);
      const { rows } = await fresh.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      assert.equal(rows[0]?.n, loadMigrations().length);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await fresh.drop();
    }
  });

  it('applies a new migration on top, in order, and refuses an edited one', async () => {
    const dir = copyMigrations();
    const next = String(loadMigrations().length + 1).padStart(4, '0');
    writeFileSync(join(dir, `${next}_add_probe.sql`), 'CREATE TABLE probe_test (id int PRIMARY KEY);');
    const result = await migrate(db.pool, loadMigrations(dir));
    assert.deepEqual(result.applied.map((m) => m.name), ['add_probe']);

    writeFileSync(join(dir, `${next}_add_probe.sql`), 'CREATE TABLE probe_test (id bigint PRIMARY KEY);');
    await assert.rejects(migrate(db.pool, loadMigrations(dir)), /changed after it was applied; add a new migration instead/);
    // Running the shipped list against a database that is ahead is refused too.
    await assert.rejects(migrate(db.pool), /which this code does not know/);
  });

  it('refuses a failing migration as a whole: nothing of it stays behind', async () => {
    const fresh = await createTestDatabase({ migrated: false });
    try {
      const dir = copyMigrations();
      const next = String(loadMigrations().length + 1).padStart(4, '0');
      writeFileSync(join(dir, `${next}_broken.sql`), 'CREATE TABLE half_done (id int); SELECT no_such_function();');
      await assert.rejects(migrate(fresh.pool, loadMigrations(dir)), /no_such_function/);
      const { rows } = await fresh.pool.query<{ present: boolean }>("SELECT to_regclass('organisations') IS NOT NULL AS present");
      assert.equal(rows[0]?.present, false, 'one transaction: earlier migrations of the run rolled back too');
    } finally {
      await fresh.drop();
    }
  });

  it('refuses badly named or gapped migration files with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'passby-migrations-'));
    writeFileSync(join(dir, '0001_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '0003_c.sql'), 'SELECT 1;');
    assert.throws(() => loadMigrations(dir), /without gaps; found 3 at position 2/);
    writeFileSync(join(dir, 'add-stuff.sql'), 'SELECT 1;');
    assert.throws(() => loadMigrations(dir), /must look like 0001_name.sql: add-stuff.sql/);
  });
});
