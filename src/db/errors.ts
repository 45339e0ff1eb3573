import { AppError } from '../shared/errors.js';

interface PgError {
  code: string;
  constraint?: string;
  detail?: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) && 'severity' in error;
}

/** SQLSTATEs of a server that is going away, starting or full: the same request succeeds later. */
const SERVER_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
/** Socket failures under the driver (refused while down, reset by an immediate shutdown). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** node-postgres reports a lost or never-made connection as a plain Error with one of these messages. */
const DRIVER_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client (has encountered a connection error|was closed) and is not queryable)/;

function isUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.length > 0 && error.errors.every(isUnavailable);
  if (isPgError(error)) return SERVER_UNAVAILABLE.test(error.code);
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  return SOCKET_CODES.has(code) || DRIVER_MESSAGES.test(error.message);
}

/**
 * Turns the database errors a caller can cause or wait out into registry errors; anything else stays as it
 * is. A database that is restarting answers 503 (retry), never a 500 that reads like a bug.
 */
export function fromDbError(error: unknown): unknown {
  if (isUnavailable(error)) {
    const unavailable = new AppError('DEPENDENCY_UNAVAILABLE', 'The database is unavailable for a moment; retry shortly');
    unavailable.cause = error;
    return unavailable;
  }
  if (!isPgError(error)) return error;
  switch (error.code) {
    case '23505':
      return new AppError('CONFLICT', `Already exists (${error.constraint ?? 'unique constraint'})`);
    case '23503':
      return new AppError('CONFLICT', `Refers to something that does not exist or is still in use (${error.constraint ?? 'foreign key'})`);
    case '23514':
      return new AppError('VALIDATION_FAILED', `A value is out of range (${error.constraint ?? 'check constraint'})`);
    default:
      return error;
  }
}
