import { AppError } from '../shared/errors.js';

interface PgError {
  code: string;
  constraint?: string;
  detail?: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) && 'severity' in error;
}

/** Turns the database errors a caller can cause into registry errors; anything else stays as it is. */
export function fromDbError(error: unknown): unknown {
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
