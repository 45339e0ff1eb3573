import { AppError } from '../shared/errors.js';

/**
 * Telling "Redis could not take the job right now" apart from a bug. The
 * first is a dependency outage the caller can retry (HTTP 503); anything else
 * stays what it is (a 500 that someone must look at).
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Redis replies meaning it is up but cannot write now: restarting, out of memory, read-only replica, failing disk. */
const UNAVAILABLE_REPLIES = /^(LOADING|OOM|READONLY|MISCONF|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;
/** What ioredis rejects queued commands with while it has no connection. */
const DISCONNECTED = /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/;

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return UNAVAILABLE_REPLIES.test(error.message) || DISCONNECTED.test(error.message);
}

/** The error an enqueue failure becomes: a 503 when Redis was unavailable, the original error otherwise. */
export function queueFailure(error: unknown, jobName: string): unknown {
  if (!isRedisUnavailable(error)) return error;
  const failure = new AppError('DEPENDENCY_UNAVAILABLE', `The job queue is unavailable (could not add "${jobName}"); try again shortly`);
  // For the logs only: details would reach API clients, and the Redis error names internal hosts.
  failure.cause = error;
  return failure;
}
