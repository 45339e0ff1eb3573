import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { systemClock } from '../../src/shared/clock.js';
import type { WebhookRequest } from '../../src/triggers/ports.js';
import type { Resolver } from '../../src/triggers/webhooks/address-guard.js';
import { createAddressPolicy } from '../../src/triggers/webhooks/ssrf.js';
import { generateSecret } from '../../src/triggers/webhooks/standard-webhooks.js';
import { createWebhookSender, type ClosableWebhookSender } from '../../src/triggers/webhooks/webhook.sender.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.server.js';

const secret = generateSecret();
const limits = { timeoutMs: 5_000, maxResponseBytes: 16 * 1024 };
let crm: WebhookReceiver;
const senders: ClosableWebhookSender[] = [];
let counter = 0;

/** A sender with the given allowed networks (and optionally a fake DNS). */
function sender(allowed: string[], options: { timeoutMs?: number; resolve?: Resolver } = {}): ClosableWebhookSender {
  const created = createWebhookSender({
    webhook: { ...limits, timeoutMs: options.timeoutMs ?? limits.timeoutMs },
    policy: createAddressPolicy(allowed),
    clock: systemClock,
    resolve: options.resolve,
  });
  senders.push(created);
  return created;
}

function request(url: string, secrets = [secret]): WebhookRequest {
  counter += 1;
  return { url, secrets, messageId: `delivery-${counter}`, body: JSON.stringify({ type: 'trigger.fired', n: counter }), timestamp: new Date() };
}

const port = () => new URL(crm.url).port;
const loopback = ['127.0.0.0/8'];

before(async () => {
  crm = await startWebhookReceiver({ secrets: [secret] });
});
beforeEach(() => {
  crm.script({});
  crm.setSecrets([secret]);
  crm.received.length = 0;
});
after(async () => {
  for (const s of senders) s.close();
  await crm.close();
});

describe('webhook sender: delivery', () => {
  it('POSTs a signed JSON body the receiver verifies with standardwebhooks', async () => {
    const sent = request(crm.url);
    const result = await sender(loopback).send(sent);
    assert.equal(result.outcome, 'delivered');
    assert.equal(result.statusCode, 200);
    assert.ok(result.durationMs >= 0);
    const [got] = crm.received;
    assert.equal(got?.verified, true);
    assert.equal(got.id, sent.messageId);
    assert.equal(got.body, sent.body);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['user-agent'], 'Passby-Webhooks/1');
  });

  it('signs with every active secret, so the receiver verifies with either during rotation', async () => {
    const next = generateSecret();
    crm.setSecrets([next]);
    assert.equal((await sender(loopback).send(request(crm.url, [next, secret]))).outcome, 'delivered');
    crm.setSecrets([secret]);
    assert.equal((await sender(loopback).send(request(crm.url, [next, secret]))).outcome, 'delivered');
    assert.ok(crm.received.every((r) => r.verified));
  });

  it('fails for good when the receiver rejects the signature (401)', async () => {
    const result = await sender(loopback).send(request(crm.url, [generateSecret()]));
    assert.equal(result.outcome, 'failed');
    assert.equal(result.statusCode, 401);
    assert.equal(crm.received[0]?.verified, false);
  });
});

describe('webhook sender: SSRF guard', () => {
  it('refuses a loopback IP outside the allowed networks before connecting', async () => {
    const result = await sender([]).send(request(crm.url));
    assert.equal(result.outcome, 'failed');
    assert.match(result.error ?? '', /127\.0\.0\.1 is a loopback address/);
    assert.equal(crm.received.length, 0);
  });

  it('refuses the cloud metadata address without trying it', async () => {
    const result = await sender(loopback).send(request('http://169.254.169.254/latest/meta-data/'));
    assert.equal(result.outcome, 'failed');
    assert.match(result.error ?? '', /cloud metadata/);
  });

  it('refuses a host name (localhost) that resolves to loopback, at connect time', async () => {
    const result = await sender([]).send(request(`http://localhost:${port()}/hooks`));
    assert.equal(result.outcome, 'failed');
    assert.match(result.error ?? '', /localhost resolves to .*loopback/);
    assert.equal(crm.received.length, 0);
  });

  it('connects to the address its own lookup checked', async () => {
    const dns: Resolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const result = await sender(loopback, { resolve: dns }).send(request(`http://crm.example:${port()}/hooks`));
    assert.equal(result.outcome, 'delivered');
    assert.equal(crm.received[0]?.headers.host, `crm.example:${port()}`);
  });

  it('refuses a host when any one of its addresses is refused', async () => {
    const dns: Resolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }, { address: '10.0.0.7', family: 4 }]);
    const result = await sender(loopback, { resolve: dns }).send(request(`http://crm.example:${port()}/hooks`));
    assert.equal(result.outcome, 'failed');
    assert.match(result.error ?? '', /crm\.example resolves to 10\.0\.0\.7, a private address/);
    assert.equal(crm.received.length, 0);
  });

  it('retries when DNS fails', async () => {
    const dns: Resolver = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND gone.example'), { code: 'ENOTFOUND' }));
    const result = await sender(loopback, { resolve: dns }).send(request('https://gone.example/hooks'));
    assert.equal(result.outcome, 'retry');
    assert.match(result.error ?? '', /ENOTFOUND/);
  });

  it('refuses URLs with credentials or other schemes', async () => {
    assert.equal((await sender(loopback).send(request(`http://user:pw@127.0.0.1:${port()}/hooks`))).outcome, 'failed');
    assert.equal((await sender(loopback).send(request('ftp://127.0.0.1/hooks'))).outcome, 'failed');
    assert.equal(crm.received.length, 0);
  });
});

describe('webhook sender: answers', () => {
  it('times out a slow receiver and asks for a retry', async () => {
    crm.script({ delayMs: 3_000 });
    const result = await sender(loopback, { timeoutMs: 200 }).send(request(crm.url));
    assert.equal(result.outcome, 'retry');
    assert.match(result.error ?? '', /timed out/);
  });

  it('reads at most maxResponseBytes of a huge answer, then hangs up; the status still decides', async () => {
    crm.script({ bodyBytes: 64 * 1024 * 1024 });
    const result = await sender(loopback).send(request(crm.url));
    assert.equal(result.outcome, 'delivered');
    for (let i = 0; i < 100 && crm.received[0]?.answer === 'pending'; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(crm.received[0]?.answer, 'aborted');
  });

  it('reports 410 as gone', async () => {
    crm.script({ statuses: [410] });
    const result = await sender(loopback).send(request(crm.url));
    assert.equal(result.outcome, 'gone');
    assert.equal(result.statusCode, 410);
  });

  it('retries a 503 and passes Retry-After on', async () => {
    crm.script({ statuses: [503], retryAfter: '120' });
    const result = await sender(loopback).send(request(crm.url));
    assert.deepEqual({ outcome: result.outcome, statusCode: result.statusCode, retryAfterMs: result.retryAfterMs }, { outcome: 'retry', statusCode: 503, retryAfterMs: 120_000 });
  });

  it('does not follow a redirect', async () => {
    crm.script({ statuses: [302], location: `http://127.0.0.1:${port()}/elsewhere` });
    const result = await sender(loopback).send(request(crm.url));
    assert.equal(result.outcome, 'failed');
    assert.equal(result.statusCode, 302);
    assert.match(result.error ?? '', /redirect .* not followed/);
    assert.deepEqual(crm.received.map((r) => r.path), ['/hooks']);
  });

  it('retries a refused connection', async () => {
    const closed = await startWebhookReceiver({ secrets: [secret] });
    const url = closed.url;
    await closed.close();
    const result = await sender(loopback).send(request(url));
    assert.equal(result.outcome, 'retry');
    assert.match(result.error ?? '', /ECONNREFUSED/);
  });
});
