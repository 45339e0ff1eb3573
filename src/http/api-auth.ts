import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors.js';
import type { OrganisationService } from '../tenancy/index.js';

/** Organisation API keys: `Authorization: Bearer pbk_...`. Sets res.locals.principal. */
export function requireApiKey(organisations: OrganisationService): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const principal = match?.[1] ? await organisations.authenticateApiKey(match[1]) : undefined;
    if (!principal) throw new AppError('UNAUTHENTICATED', match ? 'The API key is not valid or was revoked' : 'Send an organisation API key as "Authorization: Bearer <key>"');
    res.locals.principal = principal;
    next();
  };
}

/** The caller's organisation; only valid behind requireApiKey. */
export function orgOf(locals: { principal?: { orgId: string } }): string {
  if (!locals.principal) throw new AppError('UNAUTHENTICATED');
  return locals.principal.orgId;
}

/** Largest JSON API body: the limit app.ts gives express.json, checked here before it starts reading. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Refuses a body whose declared Content-Length is over `limit` before anything reads it. body-parser
 * would find the same, but only answers after draining the whole body, which for a slow or endless
 * upload is never; the error handler then closes the connection.
 */
export function refuseLargeBody(limit: number): RequestHandler {
  return (req, _res, next) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw new AppError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes`);
    next();
  };
}

const refuseLargeJson = refuseLargeBody(JSON_BODY_LIMIT_BYTES);

/** JSON APIs accept JSON bodies only, of at most JSON_BODY_LIMIT_BYTES: anything else is refused before parsing. */
export const requireJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = req.headers['content-length'] !== '0' && (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
  refuseLargeJson(req, res, next);
};
