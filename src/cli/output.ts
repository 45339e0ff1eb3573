import { ConfigError } from '../config.js';
import { fromDbError } from '../db/errors.js';
import { isAppError } from '../shared/errors.js';
import { StartupError } from '../shared/startup-error.js';

export interface OutputOptions {
  json?: boolean;
}

/** `--json`: one JSON document on stdout. Otherwise `key: value` lines for people. */
export function print(options: OutputOptions, result: Record<string, unknown>): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  for (const [key, value] of Object.entries(result)) {
    const shown = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    process.stdout.write(`${key}: ${shown}\n`);
  }
}

/** Exit codes: 1 for a refused request, 69 when a service is unavailable, 78 for bad configuration (sysexits). */
export function reportFailure(error: unknown, json: boolean): number {
  const mapped = fromDbError(error);
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return 78;
  }
  if (error instanceof StartupError) {
    process.stderr.write(`passby: ${error.message}\n`);
    return 69;
  }
  if (isAppError(mapped)) {
    if (json) process.stderr.write(`${JSON.stringify({ error: { code: mapped.code, message: mapped.message, details: mapped.details } })}\n`);
    else process.stderr.write(`passby: ${mapped.message}\n`);
    return 1;
  }
  // Unexpected: the stack is what a bug report needs.
  process.stderr.write(`passby: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
