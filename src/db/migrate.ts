import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './pool.js';
import { withTransaction } from './pool.js';

/**
 * Forward-only numbered migrations (`NNNN_name.sql`), applied in one
 * transaction under an advisory lock so that several processes starting at
 * once (web, workers) never race. A landed migration must never be edited:
 * its checksum is recorded and a change is refused.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
// Arbitrary constant shared by every Passby process ("passby" in ASCII).
const LOCK_KEY = 0x70617373627n;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: Migration[];
  current: number;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${file}`);
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      return { version: Number(match[1]), name: match[2] ?? file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 1, 2, 3... without gaps; found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}

interface AppliedRow {
  version: number;
  checksum: string;
}

export async function migrate(pool: Db, migrations = loadMigrations()): Promise<MigrationResult> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<AppliedRow>('SELECT version, checksum FROM schema_migrations ORDER BY version');
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const migration = known.get(row.version);
      if (!migration) throw new Error(`The database has migration ${row.version}, which this code does not know: is this an older release?`);
      if (migration.checksum !== row.checksum) {
        throw new Error(`Migration ${row.version}_${migration.name} changed after it was applied; add a new migration instead`);
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const migration of pending) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return { applied: pending, current: migrations.at(-1)?.version ?? 0 };
  });
}

/** Versions the code has that the database lacks (used by /readyz). */
export async function pendingMigrations(pool: Db, migrations = loadMigrations()): Promise<number[]> {
  const exists = await pool.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (exists.rows[0]?.present !== true) return migrations.map((m) => m.version);
  const { rows } = await pool.query<{ version: number }>('SELECT version FROM schema_migrations');
  const done = new Set(rows.map((r) => r.version));
  return migrations.map((m) => m.version).filter((v) => !done.has(v));
}
