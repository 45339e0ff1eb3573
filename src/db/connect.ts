import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../shared/logger.js';
import { startEmbeddedPostgres } from './embedded.js';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  if (error instanceof AggregateError) return error.errors.map(errorCode).find((c) => c !== undefined);
  return undefined;
}

export function isUnreachable(error: unknown): boolean {
  return UNREACHABLE.has(errorCode(error) ?? '');
}

async function probe(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connects once; creates the database through the `postgres` database if it does not exist yet. */
export async function ensureDatabase(url: string, logger: Logger): Promise<void> {
  try {
    await probe(url);
  } catch (error) {
    if (errorCode(error) !== '3D000') throw error;
    const target = new URL(url);
    const name = decodeURIComponent(target.pathname.slice(1));
    target.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: target.toString(), connectionTimeoutMillis: 3_000 });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      logger.info({ database: name }, 'created PostgreSQL database');
    } catch (createError) {
      // Another process may have created it a moment ago.
      if (errorCode(createError) !== '42P04') throw createError;
    } finally {
      await admin.end();
    }
  }
}

export function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

/**
 * The configured PostgreSQL, or, when DATABASE_URL is unset and nothing
 * listens on the default address, an embedded one in DATA_DIR.
 */
export async function resolveDatabase(config: Config, logger: Logger): Promise<ResolvedDatabase> {
  const { url, explicit, poolSize } = config.database;
  try {
    await ensureDatabase(url, logger);
    return { url, embedded: false, stop: () => Promise.resolve() };
  } catch (error) {
    if (explicit || !isUnreachable(error)) {
      throw new Error(`Cannot use PostgreSQL at ${describeDatabase(url)}: ${(error as Error).message}`, { cause: error });
    }
  }
  const dir = join(config.dataDir, 'pglite');
  logger.warn(
    { dataDir: dir },
    `No PostgreSQL server at ${describeDatabase(url)} and DATABASE_URL is unset: using embedded PostgreSQL (PGlite). ` +
      'Fine for a try-out; set DATABASE_URL to a real server for production.',
  );
  const embedded = await startEmbeddedPostgres(dir, poolSize + 2);
  return { url: embedded.url, embedded: true, stop: () => embedded.stop() };
}
