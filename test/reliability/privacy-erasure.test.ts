import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import pg from 'pg';
import supertest from 'supertest';
import { createPresenceService } from '../../src/analytics/presence/index.js';
import type { Db } from '../../src/db/pool.js';
import { createJobHandlers } from '../../src/job-handlers.js';
import { jobCatalog } from '../../src/queue/jobs.js';
import { JobProducer } from '../../src/queue/producer.js';
import { startWorkers } from '../../src/queue/workers.js';
import { createLogger } from '../../src/shared/logger.js';
import { createPhoneHasher } from '../../src/triggers/phone-hash.js';
import { startFakeOmada, type FakeOmada } from '../fakes/omada.server.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { bearer } from '../helpers/factories.js';
import { newOmadaGateway, signInWithCode, type PortalTestContext } from '../helpers/portal.js';
import { scanKeys } from '../helpers/redis.js';
import { createPipelineContext, newEndpoint, newRule, newVenue, nextPhone, presenceEvent, quietHoursAway, settled, waitFor, type PipelineContext } from '../helpers/triggers.js';

const DAY_MS = 86_400_000;
const silent = createLogger('silent');
const hashPhone = createPhoneHasher(TEST_SECRET_KEY);

/** One place a needle was found: `table.column` in the database, or `redis:<key>` (name or value). */
interface Hit {
  where: string;
  needle: string;
}

/** A regular expression (PostgreSQL and JavaScript alike) for a literal. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Digits of a phone number not inside a longer run of digits or hex (a hash or id that happens to contain them). */
const digitsAlone = (text: string): string => `(^|[^0-9a-f])${literal(text)}([^0-9a-f]|$)`;

/** Every column of every table (partitions included, parents skipped), cast to text and matched (case-insensitive) against each needle's pattern. */
async function searchDatabase(db: Db, needles: Record<string, string>): Promise<Hit[]> {
  const { rows: columns } = await db.query<{ table: string; column: string }>(
    `SELECT c.table_name AS table, c.column_name AS column
       FROM information_schema.columns c JOIN pg_class k ON k.relname = c.table_name AND k.relkind = 'r'
       JOIN pg_namespace n ON n.oid = k.relnamespace AND n.nspname = c.table_schema
      WHERE c.table_schema = 'public' ORDER BY 1, 2`,
  );
  const labels = Object.keys(needles);
  const patterns = labels.map((label) => needles[label] ?? '');
  const hits: Hit[] = [];
  for (const { table, column } of columns) {
    const { rows } = await db.query<{ i: string }>(
      `SELECT DISTINCT p.i FROM ${pg.escapeIdentifier(table)} t, unnest($1::text[]) WITH ORDINALITY AS p(pattern, i)
        WHERE t.${pg.escapeIdentifier(column)}::text ~* p.pattern`,
      [patterns],
    );
    for (const { i } of rows) hits.push({ where: `${table}.${column}`, needle: labels[Number(i) - 1] ?? '?' });
  }
  return hits;
}

/** A key's whole content as text, whatever its type (BullMQ uses hashes, lists, sets, zsets and streams). */
async function valueOf(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.getBuffer(key))?.toString('latin1') ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return (await redis.lrange(key, 0, -1)).join('\n');
    case 'set':
      return (await redis.smembers(key)).join('\n');
    case 'zset':
      return (await redis.zrange(key, 0, -1)).join('\n');
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}

async function searchRedis(redis: Redis, prefix: string, needles: Record<string, string>): Promise<Hit[]> {
  const hits: Hit[] = [];
  for (const key of await scanKeys(redis, `${prefix}*`)) {
    const text = `${key}\n${await valueOf(redis, key)}`;
    for (const [label, pattern] of Object.entries(needles)) if (new RegExp(pattern, 'i').test(text)) hits.push({ where: `redis:${key}`, needle: label });
  }
  return hits;
}

const render = (hits: Hit[]): string[] => [...new Set(hits.map((h) => `${h.where} <- ${h.needle}`))].sort();

/**
 * Provable erasure: a visitor with everything the product can hold about
 * them is erased through the API, then the WHOLE database and every Redis key
 * under the prefix are searched for the person. Only the documented
 * survivors may remain, and the login log goes too once its retention ends.
 */
describe('privacy: erasure leaves nothing but the documented, pseudonymous or legally required traces', () => {
  let ctx: PipelineContext;
  let omada: FakeOmada;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const phone = nextPhone();
  const national = parsePhoneNumberFromString(phone)?.formatNational() ?? '';
  let visitorId = '';
  let deviceHashes: string[] = [];
  let needles: Record<string, string> = {};
  let client: Redis;

  before(async () => {
    ctx = await createPipelineContext({ clock });
    omada = await startFakeOmada();
    client = ctx.redis.create('client');
  });
  after(async () => {
    await omada.close();
    await ctx.close();
  });

  const queuesIdle = async (): Promise<boolean> => {
    const producer = new JobProducer(jobCatalog, client, ctx.prefix);
    try {
      for (const name of producer.queueNames()) {
        const counts = await new Queue(name, { connection: client, prefix: ctx.prefix }).getJobCounts('active', 'waiting', 'delayed', 'prioritized');
        if (Object.values(counts).some((n) => n > 0)) return false;
      }
      return true;
    } finally {
      await producer.close();
    }
  };

  it('builds a visitor with everything: logins at two venues, bindings, consents, CRM attributes, visits, deliveries, SMS, STOP, presence', async () => {
    const venueB = await newVenue(ctx);
    const gateways = [await newOmadaGateway(ctx.services, ctx.org.orgId, ctx.org.venueId, omada), await newOmadaGateway(ctx.services, ctx.org.orgId, venueB, omada)];
    const { id: endpointId } = await newEndpoint(ctx);
    await newRule(ctx, {
      name: 'Welcome',
      trigger: { type: 'portal.login' },
      cooldownMinutes: 0,
      quietHours: quietHoursAway(),
      actions: [
        { type: 'webhook', endpointIds: [endpointId] },
        { type: 'sms', template: 'Welcome to {{venue.name}}: 10% off today' },
      ],
    });
    await newRule(ctx, { name: 'Arrival', trigger: { type: 'presence.entered' }, cooldownMinutes: 0, actions: [{ type: 'webhook', endpointIds: [endpointId] }] });

    // The same number signs in on a second device within seconds: no resend cooldown between the two codes.
    await ctx.api.put('/portal/settings', { sms: { resendCooldownSeconds: 0 } }).expect(200);
    const portal = { app: ctx.app, twilio: ctx.twilio } as unknown as PortalTestContext;
    const consents = { terms: 'yes', smsMarketing: 'yes', crmSharing: 'yes' };
    for (const [i, gatewayId] of gateways.entries()) {
      const { final } = await signInWithCode({ ...portal, gatewayId }, { gatewayId, mac: `00-1B-63-00-77-0${i}`, phone, consents });
      assert.ok([302, 303].includes(final.status), `sign-in ${i} answered ${final.status}`);
    }
    const found = await ctx.api.get(`/visitors?phone=${encodeURIComponent(phone)}`).expect(200);
    visitorId = (found.body as { visitor: { id: string } }).visitor.id;
    deviceHashes = (await ctx.database.pool.query<{ h: string }>('SELECT device_hash AS h FROM device_bindings WHERE visitor_id = $1 ORDER BY 1', [visitorId])).rows.map((r) => r.h);
    assert.equal(deviceHashes.length, 2, 'one binding per device');
    await ctx.api.patch(`/visitors/${visitorId}/attributes`, { loyaltyMember: true, attributes: { name: 'Ann Example', mobile: phone } }).expect(200);

    // Presence tracking as the workers run it: sightings of the first device put its state in Redis.
    const presence = createPresenceService({
      redis: client,
      prefix: ctx.prefix,
      clock,
      settingsFor: (orgId, venueId) => ctx.services.analyticsSettings.settingsFor(orgId, venueId),
      timeZoneFor: async (orgId, venueId) => (await ctx.services.venues.get(orgId, venueId)).timezone,
    });
    const ts = Math.floor(Date.now() / 1000);
    await presence.recordSightings(
      {
        orgId: ctx.org.orgId,
        venueId: ctx.org.venueId,
        zoneId: null,
        sensorId: ctx.org.venueId,
        batchKey: 'erasure-test',
        sightings: [0, 30, 60, 90].map((s) => ({ deviceHash: deviceHashes[0] ?? '', visitorId, ts: ts - 120 + s, rssi: -50 })),
      },
      silent,
    );
    // 2 logins x (webhook + SMS), plus the arrival webhook.
    // The tracker's `entered` needs a longer dwell than a test should wait for: the event goes on its queue as the tracker would put it.
    await ctx.presence(presenceEvent(ctx, visitorId));
    await settled(ctx.api, visitorId, 5);
    assert.equal(ctx.twilio.messages.filter((m) => m.to === phone).length, 2);

    const inbound = `${ctx.config.publicUrl}/webhooks/twilio/inbound`;
    const form = ctx.twilio.inboundSms(inbound, { from: phone, body: 'STOP' });
    await supertest(ctx.app).post('/webhooks/twilio/inbound').set(form.headers).send(form.body).expect(200);
    await waitFor(queuesIdle, 15_000, 'every queue idle');

    needles = {
      'phone (E.164)': literal(phone),
      'phone (national)': digitsAlone(national),
      'phone (national, digits)': digitsAlone(national.replace(/\D/g, '')),
      'phone (subscriber digits)': digitsAlone(phone.slice(3)),
      'visitor id': literal(visitorId),
      'device hash 1': literal(deviceHashes[0] ?? ''),
      'device hash 2': literal(deviceHashes[1] ?? ''),
      'phone hash': literal(hashPhone(phone)),
    };
    // The search must see the person before erasure, or finding nothing afterwards would prove nothing.
    const tables = new Set((await searchDatabase(ctx.database.pool, needles)).map((h) => h.where.split('.')[0]));
    for (const table of ['visitors', 'device_bindings', 'consent_events', 'portal_logins', 'visitor_attributes', 'visitor_visit_stats', 'trigger_decisions', 'trigger_deliveries', 'sms_suppressions']) {
      assert.ok(tables.has(table), `${table} holds the visitor before erasure (found in: ${[...tables].join(', ')})`);
    }
    assert.ok((await searchRedis(client, ctx.prefix, needles)).some((h) => h.where.includes(':presence:')), 'presence state in Redis before erasure');
  });

  it('erasure through the API leaves only the allowed traces in the whole database and in Redis', async (t) => {
    assert.ok(visitorId, 'the visitor was built');
    await supertest(ctx.app).delete(`/api/v1/visitors/${visitorId}`).set(bearer(ctx.org.apiKey)).expect(204);
    await ctx.api.get(`/visitors/${visitorId}`).expect(404);

    const inDb = render(await searchDatabase(ctx.database.pool, needles));
    const inRedis = render(await searchRedis(client, ctx.prefix, needles));
    t.diagnostic(`database hits after erasure:\n  ${inDb.join('\n  ')}`);
    t.diagnostic(`redis hits after erasure:\n  ${inRedis.join('\n  ')}`);
    assert.deepEqual(inDb, [
      // The identification log for public Wi-Fi: kept for loginRetentionDays, then purged (next test).
      'portal_logins.device_hash <- device hash 1',
      'portal_logins.device_hash <- device hash 2',
      'portal_logins.phone <- phone (E.164)',
      // The STOP still blocks the number if it signs up again: a keyed hash, not the number.
      'sms_suppressions.phone_hash <- phone hash',
      // Pseudonymous evidence: the id no longer leads to anyone.
      'trigger_decisions.visitor_id <- visitor id',
      'trigger_deliveries.visitor_id <- visitor id',
    ]);
    // Redis: sign-in flows hold the phone and device hash until they expire (at most 30 minutes after the sign-in started),
    // and BullMQ's job history keeps event payloads (visitor id only, like the decision log) for its retention.
    const flows = inRedis.filter((h) => h.includes(':portal:flow:'));
    for (const key of new Set(flows.map((h) => h.split(' <- ')[0]?.slice('redis:'.length) ?? ''))) {
      const ttl = await client.ttl(key);
      assert.ok(ttl > 0 && ttl <= 30 * 60, `${key} expires within 30 minutes (ttl ${ttl})`);
    }
    const jobs = inRedis.filter((h) => /:(presence-events|trigger-events|trigger-deliveries):[^:]+ <- /.test(h));
    for (const hit of jobs) assert.match(hit, / <- visitor id$/, 'job payloads carry ids, never the phone or a device hash');
    assert.ok(flows.length > 0 && jobs.length > 0, 'the search reads key values, not only names');
    const rest = inRedis.filter((h) => !flows.includes(h) && !jobs.includes(h) && !h.includes(':presence:'));
    assert.deepEqual(rest, []);
  });

  it('erasure forgets the visitor\'s presence state in Redis', async () => {
    const presence = (await searchRedis(client, ctx.prefix, needles)).filter((h) => h.where.includes(':presence:'));
    assert.deepEqual(render(presence), []);
  });

  it('once the login retention has passed, the maintenance job purges the login log too', async () => {
    offsetMs = 184 * DAY_MS;
    const handlers = createJobHandlers({
      db: ctx.database.pool,
      clock,
      analytics: ctx.config.analytics,
      rollup: ctx.services.rollup,
      triggers: ctx.triggers,
      presence: createPresenceService({ redis: client, prefix: ctx.prefix, clock, settingsFor: () => Promise.reject(new Error('unused')), timeZoneFor: () => Promise.reject(new Error('unused')) }),
    });
    const done: string[] = [];
    const workers = await startWorkers({
      catalog: jobCatalog,
      handlers: { 'portal.purge-logins': handlers['portal.purge-logins'] },
      redis: ctx.redis,
      prefix: ctx.prefix,
      concurrency: 1,
      logger: silent,
      onJobFinished: (_queue, job, outcome) => done.push(`${job}:${outcome}`),
    });
    const producer = new JobProducer(jobCatalog, client, ctx.prefix);
    try {
      await producer.enqueue('portal.purge-logins', {});
      await waitFor(() => done.length > 0, 15_000, 'purge job finished');
      assert.deepEqual(done, ['portal.purge-logins:completed']);
    } finally {
      await producer.close();
      await workers.close();
    }
    assert.deepEqual(render(await searchDatabase(ctx.database.pool, needles)), [
      'sms_suppressions.phone_hash <- phone hash',
      'trigger_decisions.visitor_id <- visitor id',
      'trigger_deliveries.visitor_id <- visitor id',
    ]);
  });
});
