import { loadConfig, type Config } from '../config.js';
import { resolveDatabase } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { createPool, type Db } from '../db/pool.js';
import { createServices, type Services } from '../services.js';
import { systemClock } from '../shared/clock.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { resolveSecretKey } from '../shared/secret-key.js';

export interface CliContext {
  config: Config;
  db: Db;
  logger: Logger;
  services: Services;
}

/**
 * A small pool for one CLI command, closed afterwards. Logs go to stderr so
 * stdout carries just the result (`--json` output can be piped).
 */
export async function withPool<T>(work: (context: Omit<CliContext, 'services'>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const database = await resolveDatabase(config, logger);
  const db = createPool(database.url, 2, logger);
  try {
    return await work({ config, db, logger });
  } finally {
    await db.end();
    await database.stop();
  }
}

/** Context for resource commands. Migrates first, so scripted set-up works on an empty database. */
export function withDatabase<T>(work: (context: CliContext) => Promise<T>): Promise<T> {
  return withPool(async (context) => {
    await migrate(context.db);
    const services = createServices({ db: context.db, clock: systemClock, secretKey: resolveSecretKey(context.config, context.logger) });
    return work({ ...context, services });
  });
}
