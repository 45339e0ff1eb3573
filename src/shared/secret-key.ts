import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';

/**
 * SECRET_KEY, or for development a key generated once into DATA_DIR so that
 * `npm start` works with no set-up and sealed secrets survive restarts.
 * (Production refuses to start without SECRET_KEY: see config.ts.)
 */
export function resolveSecretKey(config: Config, logger: Logger): string {
  if (config.secretKey) return config.secretKey;
  const file = join(config.dataDir, 'secret-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(config.dataDir, { recursive: true });
    const key = randomBytes(48).toString('base64url');
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    logger.warn({ file }, 'SECRET_KEY is unset: generated a development key; set SECRET_KEY in production');
    return key;
  }
}
