import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { createLogger } from '../../src/shared/logger.js';
import {
  AuthmonQueue,
  formatAuthList,
  gatewayHash,
  ndsUrlencode,
  parseAckPayload,
  parseAuthmonForm,
  type AuthmonEntry,
} from '../../src/portal/gateways/opennds.authmon.js';
import { openndsAuthmonRoutes } from '../../src/portal/gateways/opennds.authmon.routes.js';
import { rhid } from '../../src/portal/gateways/opennds.fas.js';
import { OpenndsGateway } from '../../src/portal/gateways/opennds.gateway.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';

const KEY = 'k3Y9pLq2Wz8xN4vB7mR1tH6jC0sD5fGa';
const RHID = '0a6168f73345b62261bfe3642477424fcff6a10a34493d95730c37fb742ec7f6';
/** php -r 'echo hash("sha256", "Caf%c3%a9%20Passby");': openNDS url-encodes with lower-case hex (uh_urlencode). */
const CAFE_HASH = '15a8dd25b4db6b590e49a10a7d025aa86b69beb05a219c0053784c145ee41b43';
/** Bodies captured from the installed /usr/lib/opennds/post-request.php (php 8.2) posting to a test socket. */
const PHP_VIEW_BODY = `auth_get=view&gatewayhash=${CAFE_HASH}&payload=bm9uZQ%3D%3D`;
const PHP_ACK_BODY = `auth_get=view&gatewayhash=${CAFE_HASH}&payload=KiAwYTYxNjhmNzMzNDViNjIyNjFiZmUzNjQyNDc3NDI0ZmNmZjZhMTBhMzQ0OTNkOTU3MzBjMzdmYjc0MmVjN2Y2`;
const USER_AGENT = 'openNDS(authmon;NDS:9.10.0;)';
/** A level 2/3 landing made by openNDS's PHP code path (see test/unit/opennds-fas.test.ts); its hid gives RHID. */
const LANDING = {
  fas: 'dGdRRkdveWpWbXJsbUxWd2ZEaGpEN3NCQ0IxQnpia21rNDZheEhBdHpLSE93d0F1QnhTNDN4U0pSV0ZWZzI5aXZLVUtLbDhKQnpHeGRvU0d2WXdyVGZxMjQybUxEKzc2aUdVUHZYdXdLL2FNSVVWdDVPUnBnTUpMcC85UmZ1dUNiYUhhS0FEMHVZcG1ZbTk0ZHJ0b1lLNVAzYWlLaUFrSHVQdHkwaG9yTzI0V2t1OGw3ZGRLc2g2SVdIaUR6ZjM3a0JiMjdobm1BbyttcjBYTE9QZTdPbGtPbzRWMExHeHlyalA1bXE4K3NqUnAyclhVbzZkMERLQTcwekxtS0dIY0JTaXdpdWpoUmh2TGRTOWZpMW1VV0lId1F1YXNNb1Ftb1gxTlBhNjNkMHNLQk9ubndod05FdkdjWDF3dy96RkYwZG50eDhGTXd4VWphS3g3TWpRdXp5RFFaVSt4WFY0QUp6VUg5VjBRSjk1NUx5aGJDVlF2Q1Z5cDBFcnJ4dXFVeVQvcmxXL216VnlSYkFBSDZxV3c4WndoVUdubjFvYWRjRnZWcUNaK3Z4THhDZzZpa1hZalZ5MTVLbk1ZUHEwRTNyTXl3VkxCelNRd0hJc1Fzb1daWlBmTEFEby9ZY1NweERZY0hOc2dYaWJIZ1ppZ3JHMVlla0VrWTZERy9PK3E4Mi9PUGxWTGUvK0NHRmU4WDB6ckl2Qy9VVHVqQXc3VUQ0Z05UbEpZdWZXZ0NodCs1M0RKN0JCUjlmaWRQd3Rs',
  iv: '4d46d9865e533542',
};

const entry = (rhidValue: string, sessionMinutes = 60): AuthmonEntry => ({
  rhid: rhidValue,
  limits: { sessionMinutes, uploadKbps: 512, downloadKbps: 2048, downloadQuotaKb: 100_000 },
});
const hex64 = (n: number): string => n.toString(16).padStart(64, '0');
const b64 = (text: string): string => Buffer.from(text).toString('base64');
/** What authmon.sh does with each entry: `printf "${entry//%/\\x}"`. */
const authmonDecode = (encoded: string): string => encoded.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describe('authmon wire format', () => {
  it('hashes the gateway name url-encoded the openNDS way', () => {
    assert.equal(ndsUrlencode('Café Passby'), 'Caf%c3%a9%20Passby');
    assert.equal(ndsUrlencode('a-b_c.d~e'), 'a-b_c.d~e');
    assert.equal(gatewayHash('Café Passby'), CAFE_HASH);
    // A real openNDS 9.10 logged "gatewayname digest is: 4ce5…" for this name (serial-number suffix on).
    assert.equal(gatewayHash('Café Passby Node:6e806538b0cb '), '4ce5e28eb33243d1f605fd668edacc91c61e6b43fd3b62fc08b58cf092f83cac');
  });

  it('reads the form post-request.php sends', () => {
    assert.deepEqual(parseAuthmonForm(Object.fromEntries(new URLSearchParams(PHP_VIEW_BODY))), { action: 'view', gatewayhash: CAFE_HASH, payload: 'none' });
    assert.deepEqual(parseAckPayload(parseAuthmonForm(Object.fromEntries(new URLSearchParams(PHP_ACK_BODY))).payload), [RHID]);
    assert.deepEqual(parseAckPayload('*'), []);
    assert.equal(parseAckPayload('none'), undefined);
    assert.throws(() => parseAuthmonForm({ auth_get: 'delete', gatewayhash: CAFE_HASH, payload: '' }), /auth_get/);
    assert.throws(() => parseAuthmonForm({ auth_get: 'view', gatewayhash: 'abc', payload: '' }), /gatewayhash/);
  });

  it('answers `*` and url-encoded ndsctl auth lines, within the 1024 characters authmon reads', () => {
    assert.equal(formatAuthList([]).body, '*');
    const one = formatAuthList([entry(RHID)]);
    assert.equal(one.body, `* ${RHID}%2060%20512%202048%200%20100000%20bmE%3D`);
    assert.equal(authmonDecode(one.body.slice(2)), `${RHID} 60 512 2048 0 100000 bmE=`);
    const many = formatAuthList(Array.from({ length: 20 }, (_v, i) => entry(hex64(i))));
    assert.ok(many.included.length >= 4 && many.included.length < 20);
    assert.ok(many.body.length - 2 <= 1024);
    assert.equal(many.body.split(' ').length - 1, many.included.length);
  });
});

describe('AuthmonQueue on Redis', () => {
  const prefix = testPrefix();
  let redis: Redis;
  let queue: AuthmonQueue;

  before(() => {
    redis = new Redis(TEST_REDIS_URL);
    queue = new AuthmonQueue(redis, prefix);
  });
  beforeEach(() => deletePrefix(prefix));
  after(async () => {
    await deletePrefix(prefix);
    redis.disconnect();
  });

  it('lists an entry on view, drops it on ack and then reports it authorised', async () => {
    await queue.enqueue('gw-1', entry(RHID, 30), 60);
    assert.equal(await queue.answer('gw-1', { action: 'view', gatewayhash: CAFE_HASH, payload: 'none' }), formatAuthList([entry(RHID, 30)]).body);
    assert.equal(await queue.isAuthorised('gw-1', RHID), false);
    assert.equal(await queue.answer('gw-1', { action: 'view', gatewayhash: CAFE_HASH, payload: `* ${RHID}` }), 'ack');
    assert.deepEqual(await queue.pending('gw-1'), []);
    assert.equal(await queue.isAuthorised('gw-1', RHID), true);
    const ttl = await redis.ttl(`${prefix}:authmon:{gw-1}:authorised:${RHID}`);
    assert.ok(ttl > 1700 && ttl <= 1800, `authorised for the session length, got ${String(ttl)} s`);
    assert.equal(await queue.answer('gw-1', { action: 'view', gatewayhash: CAFE_HASH, payload: 'none' }), '*');
  });

  it('keeps entries per gateway and in the order they were queued', async () => {
    await queue.enqueue('gw-1', entry(hex64(2)), 60);
    await queue.enqueue('gw-1', entry(hex64(1)), 60);
    await queue.enqueue('gw-2', entry(hex64(3)), 60);
    assert.deepEqual((await queue.pending('gw-1')).map((e) => e.rhid), [hex64(2), hex64(1)]);
    assert.deepEqual((await queue.pending('gw-2')).map((e) => e.rhid), [hex64(3)]);
  });

  it('lets a pending entry expire when the gateway never picks it up', async () => {
    await queue.enqueue('gw-1', entry(hex64(7)), 1);
    await queue.enqueue('gw-1', entry(hex64(8)), 60);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.deepEqual((await queue.pending('gw-1')).map((e) => e.rhid), [hex64(8)]);
    assert.equal(await redis.zcard(`${prefix}:authmon:{gw-1}:pending`), 1, 'the expired rhid left the index too');
    const ttl = await redis.ttl(`${prefix}:authmon:{gw-1}:pending`);
    assert.ok(ttl > 0 && ttl <= 60, 'the index itself expires');
  });

  it('ignores acks for rhids it never queued', async () => {
    await queue.enqueue('gw-1', entry(RHID), 60);
    assert.deepEqual(await queue.acknowledge('gw-1', [hex64(9), 'nonsense', RHID]), [RHID]);
    assert.equal(await queue.isAuthorised('gw-1', hex64(9)), false);
    assert.equal(await queue.isAuthorised('gw-2', RHID), false);
  });

  it('forgets everything on clear, and hands the list over without an ack on list', async () => {
    await queue.enqueue('gw-1', entry(RHID), 60);
    await queue.acknowledge('gw-1', [RHID]);
    await queue.enqueue('gw-1', entry(hex64(5)), 60);
    assert.equal(await queue.answer('gw-1', { action: 'clear', gatewayhash: CAFE_HASH, payload: 'none' }), '');
    assert.equal(await queue.isAuthorised('gw-1', RHID), false);
    assert.deepEqual(await queue.pending('gw-1'), []);

    await queue.enqueue('gw-1', entry(hex64(6)), 60);
    assert.match(await queue.answer('gw-1', { action: 'list', gatewayhash: CAFE_HASH, payload: 'none' }), new RegExp(`^\\* ${hex64(6)}%20`));
    assert.deepEqual(await queue.pending('gw-1'), []);
    assert.equal(await queue.answer('gw-1', { action: 'deauthed', gatewayhash: CAFE_HASH, payload: 'method=timeout_deauth, clientmac=…' }), 'ack');
  });

  it('queues a level 3 authorisation from an OpenndsGateway and learns the gateway hash', async () => {
    const gateway = new OpenndsGateway({ gatewayId: 'gw-3', fasLevel: 3, faskey: KEY, authmon: queue });
    const client = gateway.parseLanding(LANDING);
    const outcome = await gateway.authorise(client, { sessionMinutes: 45, downloadKbps: 1000 });
    assert.deepEqual(outcome, { kind: 'pending', reference: rhid(client.handle.hid ?? '', KEY) });
    assert.equal(outcome.reference, RHID);
    assert.equal(await queue.expectedGatewayHash('gw-3'), CAFE_HASH);
    assert.equal(authmonDecode((await queue.answer('gw-3', { action: 'view', gatewayhash: CAFE_HASH, payload: 'none' })).slice(2)), `${RHID} 45 0 1000 0 0 bmE=`);
    assert.equal(await gateway.isAuthorised(RHID), false);
    await queue.acknowledge('gw-3', [RHID]);
    assert.equal(await gateway.isAuthorised(RHID), true);
    assert.equal(await gateway.revoke(client), false);
  });
});

describe('authmon route', () => {
  const prefix = testPrefix();
  let redis: Redis;
  let queue: AuthmonQueue;
  let app: express.Express;
  const gateways: Record<string, { faskey: string; fasLevel: number; gatewayName?: string }> = {
    'gw-1': { faskey: KEY, fasLevel: 3 },
    'gw-named': { faskey: KEY, fasLevel: 3, gatewayName: 'Café Passby' },
    'gw-2': { faskey: KEY, fasLevel: 2 },
  };
  const post = (path: string, body: string) =>
    request(app).post(path).set('User-Agent', USER_AGENT).set('Content-Type', 'application/x-www-form-urlencoded').send(body);

  before(() => {
    redis = new Redis(TEST_REDIS_URL);
    queue = new AuthmonQueue(redis, prefix);
    app = express();
    app.use(openndsAuthmonRoutes({ lookup: (id) => Promise.resolve(gateways[id]), authmon: queue, logger: createLogger('silent') }));
  });
  beforeEach(() => deletePrefix(prefix));
  after(async () => {
    await deletePrefix(prefix);
    redis.disconnect();
  });

  it('answers the captured authmon view and ack posts on the FAS path, as text/plain', async () => {
    await queue.enqueue('gw-1', { ...entry(RHID), gatewayHash: CAFE_HASH }, 60);
    const view = await post('/portal/opennds/gw-1', PHP_VIEW_BODY).expect(200);
    assert.match(String(view.headers['content-type']), /^text\/plain/);
    assert.equal(view.text, formatAuthList([entry(RHID)]).body);
    const ack = await post('/portal/opennds/gw-1', PHP_ACK_BODY).expect(200);
    assert.equal(ack.text, 'ack');
    assert.equal(await queue.isAuthorised('gw-1', RHID), true);
  });

  it('checks the gateway hash against the configured name or the one learnt from landings', async () => {
    const wrong = `auth_get=view&gatewayhash=${hex64(1)}&payload=bm9uZQ%3D%3D`;
    await post('/portal/opennds/gw-named', PHP_VIEW_BODY).expect(200, '*');
    await post('/portal/opennds/gw-named', wrong).expect(403);
    await queue.enqueue('gw-1', { ...entry(RHID), gatewayHash: CAFE_HASH }, 60);
    await post('/portal/opennds/gw-1', wrong).expect(403);
    assert.equal((await queue.pending('gw-1')).length, 1, 'a refused poll changes nothing');
  });

  it('answers clear, deauthed and custom', async () => {
    await post('/portal/opennds/gw-1', `auth_get=clear&gatewayhash=${CAFE_HASH}&payload=${encodeURIComponent(b64('none'))}`).expect(200, '');
    const deauthed = b64('method=timeout_deauth, clientmac=0a:1b:2c:3d:4e:5f, bytes_incoming=1, bytes_outgoing=2');
    await post('/portal/opennds/gw-1', `auth_get=deauthed&gatewayhash=${CAFE_HASH}&payload=${encodeURIComponent(deauthed)}`).expect(200, 'ack');
    await post('/portal/opennds/gw-1', `auth_get=custom&gatewayhash=${CAFE_HASH}&payload=${encodeURIComponent(b64('hello'))}`).expect(200, 'ack');
  });

  it('refuses unknown gateways, gateways not at level 3 and malformed posts', async () => {
    await post('/portal/opennds/nope', PHP_VIEW_BODY).expect(404);
    await post('/portal/opennds/bad%7Bid%7D', PHP_VIEW_BODY).expect(404);
    await post('/portal/opennds/gw-2', PHP_VIEW_BODY).expect(404);
    await post('/portal/opennds/gw-1', 'auth_get=view').expect(400);
    await post('/portal/opennds/gw-1', `auth_get=drop&gatewayhash=${CAFE_HASH}&payload=`).expect(400);
    await request(app).post('/portal/opennds/gw-1').set('Content-Type', 'application/json').send({ auth_get: 'view' }).expect(400);
  });
});
