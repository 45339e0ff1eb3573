import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import type { EndpointDirectory, WebhookResult } from '../../src/triggers/ports.js';
import { createEndpointDirectory } from '../../src/triggers/webhooks/endpoint.directory.js';
import { EndpointService } from '../../src/triggers/webhooks/endpoint.service.js';
import { createAddressPolicy } from '../../src/triggers/webhooks/ssrf.js';
import { testConfig } from '../helpers/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';

const HOUR = 3_600_000;
const config = testConfig();
const disableAfterMs = config.triggers.webhook.disableAfterMs;
const logLines: { msg: string; endpointId?: string; reason?: string }[] = [];
const logger = createLogger('warn', { write: (line: string) => logLines.push(JSON.parse(line) as (typeof logLines)[number]) } as unknown as NodeJS.WritableStream);

let database: TestDatabase;
let service: EndpointService;
let directory: EndpointDirectory;
let org: TestOrg;
let other: TestOrg;

const failure: WebhookResult = { outcome: 'retry', statusCode: 503, durationMs: 3 };
const success: WebhookResult = { outcome: 'delivered', statusCode: 200, durationMs: 3 };

async function endpoint(body: Record<string, unknown> = {}, who: TestOrg = org): Promise<string> {
  return (await service.create(who.orgId, { url: 'https://93.184.215.14/hooks', ...body })).endpoint.id;
}

before(async () => {
  database = await createTestDatabase();
  const services = createServices({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY });
  org = await newOrg(services);
  other = await newOrg(services);
  service = new EndpointService({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY, policy: createAddressPolicy([]) });
  directory = createEndpointDirectory({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY, logger, webhook: config.triggers.webhook });
});
after(() => database.drop());

describe('EndpointDirectory.recordResult', () => {
  it('disables an endpoint at once on 410 Gone, with a warning', async () => {
    const id = await endpoint();
    const at = new Date('2025-05-01T10:00:00Z');
    await directory.recordResult(org.orgId, id, { outcome: 'gone', statusCode: 410, durationMs: 2 }, at);
    const view = await service.get(org.orgId, id);
    assert.deepEqual([view.enabled, view.disabledReason, view.disabledAt], [false, 'gone', at.toISOString()]);
    assert.equal((await directory.get(org.orgId, id))?.enabled, false);
    assert.ok(logLines.some((l) => l.endpointId === id && l.reason === 'gone' && /410 Gone/.test(l.msg)));
  });

  it('keeps the start of a failing run and disables once it outlasts the configured period', async () => {
    const id = await endpoint();
    const t0 = new Date('2025-05-01T00:00:00Z');
    await directory.recordResult(org.orgId, id, failure, t0);
    await directory.recordResult(org.orgId, id, { outcome: 'failed', statusCode: 400, durationMs: 1 }, new Date(t0.getTime() + HOUR));
    await directory.recordResult(org.orgId, id, failure, new Date(t0.getTime() + disableAfterMs));
    let view = await service.get(org.orgId, id);
    assert.deepEqual([view.enabled, view.failingSince], [true, t0.toISOString()]);

    await directory.recordResult(org.orgId, id, failure, new Date(t0.getTime() + disableAfterMs + 1));
    await directory.recordResult(org.orgId, id, failure, new Date(t0.getTime() + disableAfterMs + 2));
    view = await service.get(org.orgId, id);
    assert.deepEqual([view.enabled, view.disabledReason], [false, 'failing']);
    assert.equal(logLines.filter((l) => l.endpointId === id && l.reason === 'failing').length, 1);
  });

  it('clears the failing run on success, so a later failure starts a new one', async () => {
    const id = await endpoint();
    const t0 = new Date('2025-05-01T00:00:00Z');
    await directory.recordResult(org.orgId, id, failure, t0);
    await directory.recordResult(org.orgId, id, success, new Date(t0.getTime() + HOUR));
    assert.equal((await service.get(org.orgId, id)).failingSince, null);
    const t2 = new Date(t0.getTime() + disableAfterMs);
    await directory.recordResult(org.orgId, id, failure, t2);
    await directory.recordResult(org.orgId, id, failure, new Date(t2.getTime() + disableAfterMs - 1));
    const view = await service.get(org.orgId, id);
    assert.deepEqual([view.enabled, view.failingSince], [true, t2.toISOString()]);
  });

  it("ignores another organisation's endpoint", async () => {
    const id = await endpoint();
    await directory.recordResult(other.orgId, id, { outcome: 'gone', statusCode: 410, durationMs: 1 }, new Date());
    assert.equal((await service.get(org.orgId, id)).enabled, true);
  });
});

describe('EndpointDirectory.forAction', () => {
  it('picks enabled endpoints subscribed to the event type, or the ones named', async () => {
    const sub = await newOrg(createServices({ db: database.pool, clock: systemClock, secretKey: TEST_SECRET_KEY }));
    const all = await endpoint({}, sub);
    const entered = await endpoint({ eventTypes: ['presence.entered'] }, sub);
    const login = await endpoint({ eventTypes: ['portal.login'] }, sub);
    const fired = await endpoint({ eventTypes: ['trigger.fired'] }, sub);
    const off = await endpoint({}, sub);
    await service.update(sub.orgId, off, { enabled: false });

    const ids = async (named: string[], type: string, who = sub) => (await directory.forAction(who.orgId, named, type)).map((e) => e.id).sort();
    assert.deepEqual(await ids([], 'presence.entered'), [all, entered, fired].sort());
    assert.deepEqual(await ids([], 'portal.login'), [all, login, fired].sort());
    assert.deepEqual(await ids([login, off], 'presence.entered'), [login]);
    assert.deepEqual(await ids([login], 'presence.entered', other), []);
    assert.deepEqual(await ids(['not-an-id'], 'presence.entered'), []);
  });

  it('hands out the plain secrets, newest first', async () => {
    const created = await service.create(org.orgId, { url: 'https://93.184.215.14/secrets' });
    const rotated = await service.rotateSecret(org.orgId, created.endpoint.id, { overlapHours: 1 });
    const [found] = await directory.forAction(org.orgId, [created.endpoint.id], 'custom');
    assert.deepEqual(found?.secrets, [rotated.secret, created.secret]);
    assert.equal(found.url, 'https://93.184.215.14/secrets');
  });
});
