import assert from 'node:assert/strict';
import { createServer, Socket, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createPipelineContext, newEndpoint, newRule, newVenue, newVisitor, settled, waitFor, type PipelineContext } from '../helpers/triggers.js';

/**
 * A CRM that is down for a long stretch: connections refused (nothing listens
 * on its port), then back. Retries follow TRIGGERS_WEBHOOK_RETRY_SCHEDULE
 * (shortened here to 1s,1s,2s,2s,3s: six attempts in about nine seconds).
 */
const SCHEDULE = '1s,1s,2s,2s,3s';
const ATTEMPTS = SCHEDULE.split(',').length + 1;

interface DeliveryDetail {
  id: string;
  status: string;
  reason: string | null;
  attempts: number;
  attemptLog: { outcome: string; statusCode?: number; error?: string; attempt?: number }[];
}

/** A TCP door in front of the CRM on a fixed port: closed, the port refuses connections; open, bytes pass through. */
interface CrmDoor {
  url: string;
  open(): Promise<void>;
  close(): Promise<void>;
  shutdown(): Promise<void>;
}

async function crmDoor(target: string): Promise<CrmDoor> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        sockets.add(client);
        client.once('close', () => sockets.delete(client));
        const crm = new Socket();
        crm.connect(Number(upstream.port), upstream.hostname);
        client.pipe(crm).pipe(client);
        const drop = () => {
          client.destroy();
          crm.destroy();
        };
        client.once('error', drop);
        crm.once('error', drop);
        client.once('close', drop);
        crm.once('close', drop);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as { port: number }).port;
        server = next;
        resolve();
      });
    });
  const close = async () => {
    const open = server;
    server = undefined;
    if (!open) return;
    // Kept-alive connections too: a down CRM answers nothing at all.
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => open.close(() => resolve()));
  };
  await listen();
  return { url: `http://127.0.0.1:${port}${upstream.pathname}`, open: () => (server ? Promise.resolve() : listen()), close, shutdown: close };
}

describe('CRM down for a long stretch, then back', () => {
  let ctx: PipelineContext;
  let door: CrmDoor;

  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    ctx = await createPipelineContext({ env: { TRIGGERS_WEBHOOK_RETRY_SCHEDULE: SCHEDULE } });
    cleanups.push(() => ctx.close());
    door = await crmDoor(ctx.crm.url);
    cleanups.push(() => door.shutdown());
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const setup = async () => {
    const venueId = await newVenue(ctx);
    const endpoint = await newEndpoint(ctx, { url: door.url });
    await newRule(ctx, { name: 'Outage', trigger: { type: 'custom', name: 'ping' }, scope: { venueIds: [venueId] }, actions: [{ type: 'webhook', endpointIds: [endpoint.id] }] });
    const visitor = await newVisitor(ctx, { crm: true });
    await ctx.api.post('/events', { type: 'custom', name: 'ping', venueId, visitorId: visitor.id }).expect(202);
    return visitor;
  };
  const detail = async (id: string): Promise<DeliveryDetail> => (await ctx.api.get(`/deliveries/${id}`).expect(200)).body as DeliveryDetail;
  const firstDelivery = async (visitorId: string): Promise<string> =>
    waitFor(async () => {
      const res = await ctx.api.get(`/deliveries?visitorId=${visitorId}`).expect(200);
      return (res.body as { items: { id: string }[] }).items[0]?.id;
    }, 15_000, 'the delivery row');
  const hooksFor = (id: string) => ctx.crm.received.filter((w) => w.id === id);

  it('keeps retrying through refused connections and delivers exactly once, under the same webhook-id, when the CRM is back', async () => {
    await door.close();
    const visitor = await setup();
    const id = await firstDelivery(visitor.id);
    // Down for most of the schedule: four of the six attempts refused.
    await waitFor(async () => (await detail(id)).attempts >= 4, 30_000, 'four refused attempts');
    assert.equal(hooksFor(id).length, 0, 'nothing reached the CRM while it was down');
    await door.open();
    const [delivery] = await settled(ctx.api, visitor.id, 1);
    assert.equal(delivery?.status, 'delivered');
    const hooks = hooksFor(id);
    assert.equal(hooks.length, 1, 'one request once the CRM was back');
    assert.ok(hooks[0]?.verified, 'signed with the endpoint secret');
    assert.equal(ctx.crm.uniqueDelivered().filter((h) => h.id === id).length, 1);
    const log = (await detail(id)).attemptLog;
    const failures = log.filter((a) => a.outcome === 'retry');
    assert.ok(failures.length >= 4, `the refused attempts are logged (${failures.length})`);
    assert.ok(failures.every((a) => /ECONNREFUSED|ECONNRESET|socket hang up|closed/.test(a.error ?? '')), `each says why: ${failures.map((a) => a.error).join(' | ')}`);
    assert.deepEqual(log.at(-1)?.outcome, 'delivered');
    assert.deepEqual(log.map((a) => a.attempt), log.map((_, i) => i + 1), 'attempts numbered in order, none lost');
  });

  it('fails the delivery when the CRM stays down past the schedule, and a replay after recovery delivers it once', async () => {
    await door.close();
    const visitor = await setup();
    const [failed] = await settled(ctx.api, visitor.id, 1);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed.reason, 'retries_exhausted');
    assert.equal(failed.attempts, ATTEMPTS, 'every attempt of the schedule was made');
    assert.equal(hooksFor(failed.id).length, 0);

    await door.open();
    const replayed = await ctx.api.post(`/deliveries/${failed.id}/replay`).expect(202);
    assert.equal((replayed.body as { status: string }).status, 'pending');
    const [delivered] = await settled(ctx.api, visitor.id, 1);
    assert.equal(delivered?.status, 'delivered');
    assert.equal(delivered.id, failed.id, 'the same delivery, so the same webhook-id');
    const hooks = hooksFor(failed.id);
    assert.equal(hooks.length, 1, 'the replay sent it once');
    assert.ok(hooks[0]?.verified);
    const log = (await detail(failed.id)).attemptLog.map((a) => a.outcome);
    assert.deepEqual(log, [...Array<string>(ATTEMPTS).fill('retry'), 'replayed', 'delivered']);
    // A second replay of a delivered delivery is refused: nothing is sent twice by accident.
    await ctx.api.post(`/deliveries/${failed.id}/replay`).expect(409);
    assert.equal(hooksFor(failed.id).length, 1);
  });
});
