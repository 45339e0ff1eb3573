import type { WebhookResult } from '../ports.js';

/** How a CRM's answer is read: pure, so the rules are testable without a network. */

export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** Retry-After as delta-seconds or an HTTP date, in ms from `now` (capped at 24 h); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // HTTP dates always name the weekday and GMT; a bare number-like string is not one.
    if (!/GMT$/i.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now.getTime());
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

const RETRYABLE = new Set([408, 425, 429]);

/** 2xx delivered; 410 gone; 408/425/429/5xx retry; redirects and other answers fail for good. */
export function classifyStatus(
  status: number,
  headers: { retryAfter?: string; location?: string },
  now: Date,
  durationMs: number,
): WebhookResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', statusCode: status, durationMs };
  if (status === 410) return { outcome: 'gone', statusCode: status, error: 'HTTP 410 Gone: the receiver asked us to stop', durationMs };
  if (RETRYABLE.has(status) || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(headers.retryAfter, now);
    return { outcome: 'retry', statusCode: status, error: `HTTP ${status}`, durationMs, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  if (status >= 300 && status < 400) {
    const where = headers.location === undefined ? '' : ` to ${headers.location.slice(0, 200)}`;
    return { outcome: 'failed', statusCode: status, error: `HTTP ${status} redirect${where} not followed: configure the final URL`, durationMs };
  }
  return { outcome: 'failed', statusCode: status, error: `HTTP ${status}`, durationMs };
}
