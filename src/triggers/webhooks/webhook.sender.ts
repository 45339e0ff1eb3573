import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TriggersConfig } from '../../config.js';
import type { Clock } from '../../shared/clock.js';
import type { WebhookRequest, WebhookResult, WebhookSender } from '../ports.js';
import { assertAddressesAllowed, guardedLookup, systemResolver, type Resolver } from './address-guard.js';
import { bareHost, familyOf } from './ip-address.js';
import { webhookHeaders } from './standard-webhooks.js';
import { ForbiddenAddressError, type AddressPolicy } from './ssrf.js';
import { classifyStatus } from './webhook-outcome.js';

/**
 * Sends one signed webhook attempt and says what happened. Never throws:
 * every failure becomes an outcome the engine can act on (retry or not).
 * Redirects are not followed (a 3xx could point anywhere, past the address
 * check); the response body is read up to a cap and then dropped, except
 * for the first bytes a caller asked to keep.
 */

export interface WebhookSenderDeps {
  webhook: Pick<TriggersConfig['webhook'], 'timeoutMs' | 'maxResponseBytes'>;
  policy: AddressPolicy;
  clock: Clock;
  resolve?: Resolver;
}

export interface ClosableWebhookSender extends WebhookSender {
  /** Drops idle keep-alive connections. */
  close(): void;
}

interface Answer {
  status: number;
  retryAfter?: string;
  location?: string;
  kept: Buffer[];
  seen: number;
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function errorResult(error: unknown, durationMs: number): WebhookResult {
  if (error instanceof ForbiddenAddressError) return { outcome: 'failed', error: `refused: ${error.message}`, durationMs };
  if (error instanceof TimeoutError) return { outcome: 'retry', error: `timed out: ${error.message}`, durationMs };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: 'retry', error: code !== undefined && !message.includes(code) ? `${code}: ${message}` : message, durationMs };
}

/** Refuses URLs we would never call, before any connection: bad scheme, credentials, a refused IP literal. */
function preflight(url: string, policy: AddressPolicy): URL | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `scheme ${parsed.protocol} is not allowed`;
  if (parsed.username !== '' || parsed.password !== '') return 'URLs with credentials are not allowed';
  const host = bareHost(parsed.hostname);
  if (familyOf(host) !== undefined) {
    try {
      assertAddressesAllowed(policy, host, [host]);
    } catch (error) {
      return `refused: ${(error as Error).message}`;
    }
  }
  return parsed;
}

/** Reads the body, keeping its first `keep` bytes; past the cap the connection is cut (a CRM cannot make us buffer megabytes). */
function drain(res: http.IncomingMessage, answer: Answer, maxBytes: number, keep: number, done: (error?: Error) => void): void {
  res.on('data', (chunk: Buffer) => {
    if (answer.seen < keep) answer.kept.push(chunk.subarray(0, keep - answer.seen));
    answer.seen += chunk.length;
    if (answer.seen > maxBytes) {
      res.destroy();
      done();
    }
  });
  res.on('end', () => done());
  res.on('close', () => done());
  res.on('error', (error) => done(error));
}

export function createWebhookSender(deps: WebhookSenderDeps): ClosableWebhookSender {
  const lookup = guardedLookup(deps.policy, deps.resolve ?? systemResolver);
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  const { timeoutMs, maxResponseBytes } = deps.webhook;

  function post(url: URL, headers: Record<string, string>, body: string, keep: number): Promise<Answer> {
    return new Promise((resolve, reject) => {
      let answer: Answer | undefined;
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // A status already received decides, even if the body is cut short (the CRM did get the message).
        if (answer) resolve(answer);
        else reject(error ?? new Error('connection closed without an answer'));
      };
      const client = url.protocol === 'https:' ? https : http;
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const req = client.request(url, { method: 'POST', headers, agent, lookup }, (res) => {
        const received: Answer = { status: res.statusCode ?? 0, retryAfter: header(res.headers['retry-after']), location: header(res.headers.location), kept: [], seen: 0 };
        answer = received;
        drain(res, received, maxResponseBytes, keep, settle);
      });
      const timer = setTimeout(() => {
        const error = new TimeoutError(timeoutMs);
        req.destroy(error);
        settle(error);
      }, timeoutMs);
      req.on('error', (error) => settle(error));
      req.end(body);
    });
  }

  return {
    async send(request: WebhookRequest): Promise<WebhookResult> {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const url = preflight(request.url, deps.policy);
      if (typeof url === 'string') return { outcome: 'failed', error: url, durationMs: elapsed() };
      if (request.secrets.length === 0) return { outcome: 'failed', error: 'the endpoint has no active signing secret', durationMs: elapsed() };
      const headers = { ...webhookHeaders(request), 'content-length': String(Buffer.byteLength(request.body)) };
      try {
        const keep = request.keepResponseBytes ?? 0;
        const answer = await post(url, headers, request.body, keep);
        const result = classifyStatus(answer.status, answer, deps.clock.now(), elapsed());
        if (keep === 0) return result;
        return { ...result, response: { text: Buffer.concat(answer.kept).toString('utf8'), truncated: answer.seen > keep } };
      } catch (error) {
        return errorResult(error, elapsed());
      }
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
