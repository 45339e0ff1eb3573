/**
 * Oversized bodies are refused early (issue #7): a client that announces (or streams) far more than a
 * route accepts gets its 413 while it is still sending, and the connection is closed, so a slow or
 * endless body cannot hold a socket and a worker. Raw sockets against the real app listening on loopback.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { bearer } from '../helpers/factories.js';
import { createPortalTestContext, type PortalTestContext } from '../helpers/portal.js';

/** Upper bound for liveness only: a refused upload must not wait for a body that never ends. */
const ANSWER_WITHIN_MS = 10_000;

interface Exchange {
  status: number;
  head: string;
  /** The server closed the connection while the client was still sending. */
  closed: boolean;
}

/**
 * Sends `headers` and then a body that never ends; resolves with the
 * status line once the server has answered and closed the socket, or rejects after the bound.
 */
function trickle(port: number, requestHead: string, chunked: boolean): Promise<Exchange> {
  // Chunked: 64 KiB pieces, so the stream passes the 1 MiB limit within a second; else a slow trickle.
  const piece = chunked ? `10000\r\n${'x'.repeat(0x10000)}\r\n` : '{"pad":"xxxxxxx"';
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const bound = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`no answer and close within ${ANSWER_WITHIN_MS} ms; got: ${received.slice(0, 200) || '(nothing)'}`));
    }, ANSWER_WITHIN_MS);
    const finish = (): void => {
      clearTimeout(bound);
      clearInterval(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, head: received.split('\r\n\r\n')[0] ?? '', closed: true });
    };
    socket.on('connect', () => {
      socket.write(requestHead);
      timer = setInterval(() => socket.write(piece), 50);
    });
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
    });
    socket.on('end', finish);
    // Writing after the server closed: the answer has already been read (or the close is the answer).
    socket.on('error', () => finish());
  });
}

describe('oversized bodies', () => {
  let ctx: PortalTestContext;
  let server: Server;
  let port: number;
  let sensorToken: string;

  before(async () => {
    ctx = await createPortalTestContext({ ANALYTICS_INGEST_MAX_BODY_MB: '1' });
    sensorToken = (await ctx.services.sensors.create(ctx.org.orgId, { venueId: ctx.org.venueId, name: 'Door' })).token;
    server = ctx.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx.close();
  });

  const head = (path: string, headers: Record<string, string>): string =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;

  const cases: { name: string; path: string; headers: () => Record<string, string> }[] = [
    { name: 'probe ingest, 10 GB announced', path: '/api/v1/ingest/probes', headers: () => ({ ...bearer(sensorToken), 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': 'big-1', 'Content-Length': '10000000000' }) },
    { name: 'probe ingest, endless chunked body', path: '/api/v1/ingest/probes', headers: () => ({ ...bearer(sensorToken), 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': 'big-2', 'Transfer-Encoding': 'chunked' }) },
    { name: 'organisation API, 10 GB announced', path: '/api/v1/venues', headers: () => ({ ...bearer(ctx.org.apiKey), 'Content-Type': 'application/json', 'Content-Length': '10000000000' }) },
    { name: 'organisation API without a key, 10 GB announced', path: '/api/v1/venues', headers: () => ({ 'Content-Type': 'application/json', 'Content-Length': '10000000000' }) },
    { name: 'Twilio callback, 10 GB announced', path: '/webhooks/twilio/inbound', headers: () => ({ 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '10000000000' }) },
  ];

  for (const c of cases) {
    it(`${c.name}: answered 413 while the body is still coming, and the connection closed`, async () => {
      const headers = c.headers();
      const exchange = await trickle(port, head(c.path, headers), headers['Transfer-Encoding'] === 'chunked');
      assert.equal(exchange.status, 413, exchange.head);
      assert.ok(exchange.closed);
    });
  }
});
