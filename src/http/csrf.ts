import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors.js';

/**
 * Synchronizer-token CSRF protection for session-backed forms: one token per
 * session, put in every form as `_csrf`, checked on every unsafe method.
 */
export const csrfProtection: RequestHandler = (req, res, next) => {
  const session = req.session;
  session.csrfToken ??= randomBytes(32).toString('base64url');
  res.locals.csrfToken = session.csrfToken;
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
    next();
    return;
  }
  const body: unknown = req.body;
  const sent = typeof body === 'object' && body !== null && '_csrf' in body && typeof body._csrf === 'string' ? body._csrf : (req.get('x-csrf-token') ?? '');
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(sent);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new AppError('CSRF_FAILED');
  next();
};
