import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { fromDbError } from '../db/errors.js';
import { AppError, ERRORS, isAppError } from '../shared/errors.js';

/** body-parser and friends signal with `type`/`status`; map them into the registry. */
function fromHttpError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('type' in error)) return error;
  switch (error.type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'entity.parse.failed':
      return new AppError('BAD_JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    default:
      return error;
  }
}

/** Long enough for a restarting PostgreSQL or Redis to come back; sensors spool meanwhile and retry the same batch. */
const RETRY_AFTER_SECONDS = 5;

export function wantsJson(req: Request): boolean {
  return req.originalUrl.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
}

export const notFoundHandler: RequestHandler = (req) => {
  throw new AppError('NOT_FOUND', `No page at ${req.method} ${req.path}`);
};

/** The one HTTP error mapper: registry code -> status, JSON for API callers, a friendly page for browsers. */
export function errorHandler(): ErrorRequestHandler {
  return (raw: unknown, req, res, next) => {
    if (res.headersSent) {
      next(raw);
      return;
    }
    const mapped = fromHttpError(fromDbError(raw));
    const error = isAppError(mapped) ? mapped : new AppError('INTERNAL');
    const { status, title } = ERRORS[error.code];
    const requestId = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '';
    if (status >= 500) req.log.error({ err: raw, code: error.code }, 'request failed');
    // Anything unknown became INTERNAL above, whose message is its title: SQL or secrets never reach the client.
    const message = error.message;
    const json = wantsJson(req);
    if (error.code === 'UNAUTHENTICATED' && json) res.set('WWW-Authenticate', 'Bearer realm="passby"');
    // A 503 is "try again" (database restarting, Redis down): sensors and other clients need to be told when.
    if (status === 503 && !res.get('Retry-After')) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    // A body refused before it was read (too large, wrong type) may still be arriving, slowly or without end:
    // Node would keep the socket to drain it, so the answer closes the connection instead.
    if (!req.complete) res.set('Connection', 'close');
    res.status(status);
    if (json) {
      res.json({ error: { code: error.code, message, ...(error.details ? { details: error.details } : {}), requestId } });
      return;
    }
    res.render('errors/error', { title, message, status, requestId, fields: error.details?.fields });
  };
}
