import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks 1.0 signing (what Svix sends and the `standardwebhooks`
 * packages verify): HMAC-SHA256 over `${id}.${timestamp}.${body}` with the
 * base64-decoded part of a `whsec_` secret, sent as `v1,<base64>`. One entry
 * per active secret, so a receiver holding either verifies during rotation.
 */

export const SECRET_PREFIX = 'whsec_';
export const USER_AGENT = 'Passby-Webhooks/1';

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('Empty webhook secret');
  return key;
}

/** One `v1,<base64>` signature. */
export function sign(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', secretBytes(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The `webhook-signature` header value: one signature per secret, space-separated. */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  if (secrets.length === 0) throw new Error('A webhook needs at least one secret to sign with');
  return secrets.map((secret) => sign(secret, id, timestampSeconds, body)).join(' ');
}

/** Every header of one attempt (the timestamp is this attempt's; the id stays the same on retries). */
export function webhookHeaders(request: { secrets: readonly string[]; messageId: string; body: string; timestamp: Date }): Record<string, string> {
  const seconds = Math.floor(request.timestamp.getTime() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': request.messageId,
    'webhook-timestamp': String(seconds),
    'webhook-signature': signatureHeader(request.secrets, request.messageId, seconds, request.body),
  };
}
