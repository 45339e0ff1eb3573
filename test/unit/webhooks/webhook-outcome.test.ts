import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyStatus, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../../src/triggers/webhooks/webhook-outcome.js';

const now = new Date('2025-06-01T12:00:00Z');

describe('Retry-After parsing', () => {
  const cases: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['120', 120_000],
    [' 7 ', 7_000],
    ['Sun, 01 Jun 2025 12:00:30 GMT', 30_000],
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0],
    [String(30 * 86_400), MAX_RETRY_AFTER_MS],
    ['Wed, 01 Jul 2025 12:00:00 GMT', MAX_RETRY_AFTER_MS],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['2025-06-01', undefined],
  ];
  for (const [value, expected] of cases) {
    it(`reads ${JSON.stringify(value)} as ${String(expected)}`, () => {
      assert.equal(parseRetryAfter(value, now), expected);
    });
  }
  it('caps at 24 hours', () => {
    assert.equal(MAX_RETRY_AFTER_MS, 86_400_000);
  });
});

describe('response classification', () => {
  const outcome = (status: number) => classifyStatus(status, {}, now, 5).outcome;

  it('treats every 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) assert.equal(outcome(status), 'delivered', String(status));
  });

  it('treats 410 as gone', () => {
    assert.equal(outcome(410), 'gone');
  });

  it('retries 408, 425, 429 and 5xx', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 599]) assert.equal(outcome(status), 'retry', String(status));
  });

  it('fails for good on other 4xx and on redirects, saying a redirect was not followed', () => {
    for (const status of [400, 401, 403, 404, 413, 422, 301, 302, 307, 308]) assert.equal(outcome(status), 'failed', String(status));
    const redirect = classifyStatus(302, { location: 'https://elsewhere.example/' }, now, 5);
    assert.match(redirect.error ?? '', /redirect to https:\/\/elsewhere\.example\/ not followed/);
  });

  it('passes Retry-After of a retryable answer on, and ignores it otherwise', () => {
    assert.equal(classifyStatus(503, { retryAfter: '30' }, now, 5).retryAfterMs, 30_000);
    assert.equal(classifyStatus(429, { retryAfter: 'Sun, 01 Jun 2025 12:01:00 GMT' }, now, 5).retryAfterMs, 60_000);
    assert.equal(classifyStatus(400, { retryAfter: '30' }, now, 5).retryAfterMs, undefined);
    assert.equal('retryAfterMs' in classifyStatus(503, {}, now, 5), false);
  });

  it('keeps the status and duration', () => {
    assert.deepEqual(classifyStatus(201, {}, now, 42), { outcome: 'delivered', statusCode: 201, durationMs: 42 });
  });
});
