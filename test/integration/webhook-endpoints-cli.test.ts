import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { runPassby } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg, type TestOrg } from '../helpers/factories.js';

describe('passby endpoints', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  let org: TestOrg;

  before(async () => {
    db = await createTestDatabase();
    env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: mkdtempSync(join(tmpdir(), 'passby-cli-')) };
    org = await newOrg(createServices({ db: db.pool, clock: systemClock, secretKey: TEST_SECRET_KEY }));
  });
  after(() => db.drop());

  const json = async (args: string[]): Promise<Record<string, unknown>> => {
    const result = await runPassby(['endpoints', ...args, '--org', org.orgId, '--json'], env);
    assert.equal(result.code, 0, `passby endpoints ${args.join(' ')} failed:\n${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  it('creates, lists, rotates, disables, enables and deletes an endpoint', async () => {
    const created = await json(['create', '--url', 'https://93.184.215.14/hooks', '--description', 'CRM', '--event-types', 'presence.entered, portal.login']);
    assert.match(String(created.secret), /^whsec_/);
    assert.deepEqual(created.eventTypes, ['presence.entered', 'portal.login']);
    const id = String(created.endpointId);

    const rotated = await json(['rotate-secret', id, '--overlap-hours', '1']);
    assert.match(String(rotated.secret), /^whsec_/);
    assert.notEqual(rotated.secret, created.secret);
    const listed = (await json(['list'])).endpoints as { id: string; secretCount: number; enabled: boolean }[];
    assert.deepEqual(listed.map((e) => [e.id, e.secretCount, e.enabled]), [[id, 2, true]]);
    assert.equal(JSON.stringify(listed).includes(String(created.secret)), false);

    assert.deepEqual(await json(['disable', id]), { endpointId: id, enabled: false, disabledReason: 'manual' });
    assert.deepEqual(await json(['enable', id]), { endpointId: id, enabled: true, disabledReason: null });
    assert.deepEqual(await json(['delete', id]), { endpointId: id, deleted: true });
    assert.deepEqual((await json(['list'])).endpoints, []);
  });

  it('refuses a forbidden URL and an unknown organisation with exit code 1', async () => {
    const forbidden = await runPassby(['endpoints', 'create', '--org', org.orgId, '--url', 'http://169.254.169.254/', '--json'], env);
    assert.equal(forbidden.code, 1);
    assert.equal((JSON.parse(forbidden.stderr.trim().split('\n').pop() ?? '{}') as { error: { code: string } }).error.code, 'WEBHOOK_URL_FORBIDDEN');
    const unknown = await runPassby(['endpoints', 'list', '--org', '00000000-0000-4000-8000-000000000000'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Organisation not found/);
  });
});
