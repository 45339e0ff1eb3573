import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { createServices } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { newId } from '../../src/shared/ids.js';
import { runPassby } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';

describe('passby rules (the real binary)', () => {
  const prefix = testPrefix();
  let db: TestDatabase;
  let redis: Redis;
  let org: TestOrg;
  let env: Record<string, string>;
  let dir: string;

  before(async () => {
    db = await createTestDatabase();
    redis = new Redis(TEST_REDIS_URL);
    org = await newOrg(createServices({ db: db.pool, clock: systemClock, secretKey: TEST_SECRET_KEY }));
    dir = mkdtempSync(join(tmpdir(), 'passby-rules-cli-'));
    env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: dir, QUEUE_PREFIX: prefix };
  });
  after(async () => {
    redis.disconnect();
    await deletePrefix(prefix);
    await db.drop();
  });

  const versionKey = () => `${prefix}:triggers:rules-version:${org.orgId}`;
  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const json = async (args: string[]): Promise<Record<string, unknown>> => {
    const result = await runPassby([...args, '--org', org.orgId, '--json'], env);
    assert.equal(result.code, 0, `passby ${args.join(' ')} failed:\n${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  const failure = async (args: string[]): Promise<{ code: string; details?: { fields?: { path: string }[] } }> => {
    const result = await runPassby([...args, '--json'], env);
    assert.equal(result.code, 1, `expected passby ${args.join(' ')} to fail:\n${result.stdout}`);
    return (JSON.parse(result.stderr) as { error: { code: string } }).error;
  };
  const welcome = { name: 'Welcome', trigger: { type: 'presence.entered' }, actions: [{ type: 'sms', template: 'Hi {{visitor.attributes.firstName}} at {{venue.name}}' }] };

  it('creates, lists, shows, updates, disables and deletes a rule, telling running processes each time', async () => {
    const created = await json(['rules', 'create', '--file', file('welcome.json', welcome)]);
    const id = String(created.id);
    assert.equal(created.version, 1);
    const afterCreate = await redis.get(versionKey());
    assert.ok(afterCreate, 'the rules version key is set');

    assert.deepEqual(((await json(['rules', 'list'])).items as { id: string }[]).map((r) => r.id), [id]);
    const human = await runPassby(['rules', 'list', '--org', org.orgId], env);
    assert.match(human.stdout, new RegExp(`^${id}  v1  enabled   presence.entered  Welcome$`, 'm'));
    assert.deepEqual((await json(['rules', 'show', id])).definition, { ...(created.definition as object) });

    const updated = await json(['rules', 'update', id, '--file', file('v2.json', { ...welcome, name: 'Welcome v2', cooldownMinutes: 30 })]);
    assert.deepEqual([updated.version, updated.name], [2, 'Welcome v2']);
    const disabled = await json(['rules', 'disable', id]);
    assert.deepEqual([disabled.version, disabled.enabled], [3, false]);
    const afterDisable = await redis.get(versionKey());
    assert.notEqual(afterDisable, afterCreate);

    assert.deepEqual(await json(['rules', 'delete', id]), { deleted: id });
    assert.notEqual(await redis.get(versionKey()), afterDisable);
    assert.equal((await failure(['rules', 'show', id, '--org', org.orgId])).code, 'NOT_FOUND');
  });

  it('dry-runs a rule against an event and the stored visitor, recording nothing', async () => {
    const visitors = new VisitorRepository(db.pool);
    const visitor = await visitors.upsert({ id: newId(), orgId: org.orgId, phone: '+447700900555' }, new Date());
    const consent = { purpose: 'sms_marketing' as const, granted: true, textVersion: 'v1', venueId: null, gatewayId: null, method: 'portal_form' as const };
    await visitors.recordConsents(org.orgId, visitor.id, [{ id: newId(), ...consent }], new Date());
    const { id } = await json(['rules', 'create', '--file', file('test.json', welcome)]);
    const event = JSON.stringify({ type: 'presence.entered', venueId: org.venueId, visitorId: visitor.id });
    const result = await json(['rules', 'test', String(id), '--event', event, '--now', '2026-06-10T11:00:00Z', '--visitor', '{"attributes":{"firstName":"Bo"}}']);
    const decision = result.decision as { outcome: string; trace: { condition: string }[] };
    assert.equal(decision.outcome, 'fired');
    assert.ok(decision.trace.some((t) => t.condition === 'cooldown'));
    assert.match((result.rendered as { sms: string }).sms, /^Hi Bo at .+ venue$/);
    const { rows } = await db.pool.query<{ n: number }>('SELECT (SELECT count(*) FROM trigger_decisions) + (SELECT count(*) FROM trigger_deliveries) AS n');
    assert.equal(Number(rows[0]?.n), 0);
  });

  it('reports bad input with the API error codes and exit code 1', async () => {
    const template = await failure(['rules', 'create', '--org', org.orgId, '--file', file('bad.json', { ...welcome, actions: [{ type: 'sms', template: 'Hi {{' }] })]);
    assert.equal(template.code, 'TEMPLATE_INVALID');
    assert.deepEqual(template.details?.fields?.map((f) => f.path), ['actions.0.template']);
    writeFileSync(join(dir, 'broken.json'), '{"name":');
    assert.equal((await failure(['rules', 'create', '--org', org.orgId, '--file', join(dir, 'broken.json')])).code, 'VALIDATION_FAILED');
    assert.equal((await failure(['rules', 'list', '--org', newId()])).code, 'NOT_FOUND');
  });
});
