import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens (organisation API keys, sensor ingest tokens) look like
 * `pbk_<lookup>_<secret>`. The lookup part finds the row; only a SHA-256 of
 * the whole token is stored. The secret has 256 bits of entropy, so a fast
 * hash is enough: there is nothing to brute-force.
 */
export type TokenKind = 'pbk' | 'pbs';

export interface IssuedToken {
  token: string;
  lookup: string;
  hash: string;
}

const TOKEN_PATTERN = /^(pbk|pbs)_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function issueToken(kind: TokenKind): IssuedToken {
  const lookup = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const token = `${kind}_${lookup}_${randomBytes(32).toString('base64url')}`;
  return { token, lookup, hash: hashToken(token) };
}

export function parseToken(kind: TokenKind, token: string): { lookup: string } | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match || match[1] !== kind || match[2] === undefined) return undefined;
  return { lookup: match[2] };
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const actual = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
