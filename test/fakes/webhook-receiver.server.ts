import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A customer's CRM receiving Passby webhooks, as a real HTTP server on 127.0.0.1.
 * It verifies EVERY request with the `standardwebhooks` package (what CRM
 * developers use) and answers 401 to anything that does not verify.
 *
 *   const crm = await startWebhookReceiver({ secrets: [secret] });
 *   crm.url                 // http://127.0.0.1:<port>/hooks (needs TRIGGERS_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8)
 *   crm.script({ statuses: [503, 503, 200], retryAfter: '2' })   // next answers, then 200 again
 *   crm.script({ delayMs: 2000 })        // slow CRM: every answer waits
 *   crm.script({ bodyBytes: 1_000_000 }) // huge response body
 *   crm.script({ statuses: [302], location: 'http://127.0.0.1:1/elsewhere' })  // redirect
 *   crm.setSecrets([newSecret, oldSecret])  // rotation: any one of them verifying is enough
 *   crm.received            // every request, in arrival order (see ReceivedWebhook)
 *   crm.uniqueDelivered()   // first verified 2xx answer per webhook-id
 *   crm.duplicates()        // verified requests answered 2xx for an id already answered 2xx
 *   await crm.waitForDelivered(10)  // resolves once 10 distinct ids were delivered (rejects after timeoutMs)
 *   await crm.close()
 *
 * `onReceive` (option) is called synchronously for each request after verification (benchmarks: arrival time).
 */

export interface ReceivedWebhook {
  /** `webhook-id` header ('' when missing). */
  id: string;
  path: string;
  body: string;
  verified: boolean;
  /** Why verification failed. */
  error?: string;
  headers: IncomingHttpHeaders;
  /** What the receiver answered. */
  status: number;
  /** 'aborted': the client hung up before the whole answer was sent (e.g. its response-size cap). */
  answer: 'pending' | 'finished' | 'aborted';
  /** Date.now() at arrival. */
  at: number;
}

export interface ReceiverScript {
  /** Answers for the next requests, consumed one per verified request; afterwards `defaultStatus`. */
  statuses?: number[];
  defaultStatus?: number;
  /** Retry-After header sent with non-2xx answers. */
  retryAfter?: string;
  /** Location header for 3xx answers (default `/elsewhere`). */
  location?: string;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer with a body of this many bytes. */
  bodyBytes?: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  uniqueDelivered(): ReceivedWebhook[];
  duplicates(): number;
  setSecrets(secrets: string[]): void;
  /** Replaces the scripted behaviour (fields not given fall back to the defaults). */
  script(script: ReceiverScript): void;
  waitForDelivered(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function verify(secrets: string[], body: string, headers: IncomingHttpHeaders): { verified: boolean; error?: string } {
  const plain = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
  let error = 'no secret configured';
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, plain);
      return { verified: true };
    } catch (caught) {
      error = (caught as Error).message;
    }
  }
  return { verified: false, error };
}

function answer(res: ServerResponse, status: number, script: ReceiverScript): void {
  res.on('error', () => undefined); // the client may hang up on a huge body: that is its right
  if (status < 200 || status >= 300) {
    if (script.retryAfter !== undefined) res.setHeader('retry-after', script.retryAfter);
    if (status >= 300 && status < 400) res.setHeader('location', script.location ?? '/elsewhere');
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  const size = script.bodyBytes ?? 0;
  if (size === 0) {
    res.end(status < 300 ? '{"ok":true}' : '{"ok":false}');
    return;
  }
  const chunk = Buffer.alloc(Math.min(size, 64 * 1024), 'x');
  let left = size;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      if (!res.write(part)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

export async function startWebhookReceiver(options: { secrets: string[]; path?: string; onReceive?: (w: ReceivedWebhook) => void } & ReceiverScript): Promise<WebhookReceiver> {
  const { secrets: initial, path = '/hooks', onReceive, ...initialScript } = options;
  let secrets = initial;
  let script: ReceiverScript = { ...initialScript, statuses: initialScript.statuses ? [...initialScript.statuses] : undefined };
  const received: ReceivedWebhook[] = [];
  const delivered = new Map<string, ReceivedWebhook>();
  let duplicates = 0;
  const waiters = new Set<() => void>();
  // Pending slow answers: close() cancels them so a test run does not wait for them.
  const delays = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      const check = verify(secrets, body, req.headers);
      const scripted = check.verified ? script.statuses?.shift() : undefined;
      const status = check.verified ? (scripted ?? script.defaultStatus ?? 200) : 401;
      const id = typeof req.headers['webhook-id'] === 'string' ? req.headers['webhook-id'] : '';
      const record: ReceivedWebhook = { id, path: req.url ?? '', body, ...check, headers: req.headers, status, answer: 'pending', at: Date.now() };
      res.on('finish', () => (record.answer = 'finished'));
      res.on('close', () => {
        if (record.answer === 'pending') record.answer = 'aborted';
      });
      received.push(record);
      if (status >= 200 && status < 300 && check.verified) {
        if (delivered.has(id)) duplicates += 1;
        else delivered.set(id, record);
        for (const wake of waiters) wake();
      }
      onReceive?.(record);
      if (script.delayMs !== undefined) {
        const delayMs = script.delayMs;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            delays.delete(timer);
            resolve();
          }, delayMs);
          delays.add(timer);
        });
      }
      if (!res.destroyed) answer(res, status, script);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    uniqueDelivered: () => [...delivered.values()],
    duplicates: () => duplicates,
    setSecrets(next) {
      secrets = next;
    },
    script(next) {
      script = { ...next, statuses: next.statuses ? [...next.statuses] : undefined };
    },
    waitForDelivered(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver got ${delivered.size} of ${count} deliveries within ${timeoutMs} ms`));
        }, timeoutMs);
        function check(): void {
          if (delivered.size < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        }
        waiters.add(check);
        check();
      });
    },
    close() {
      for (const timer of delays) clearTimeout(timer);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
