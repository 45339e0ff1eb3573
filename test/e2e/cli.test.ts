import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServices } from '../../src/services.js';
import { systemClock } from '../../src/shared/clock.js';
import { runPassby } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_REDIS_URL, TEST_SECRET_KEY } from '../helpers/env.js';

describe('passby CLI resource commands', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  before(async () => {
    // Not migrated: the CLI must migrate an empty database itself.
    db = await createTestDatabase({ migrated: false });
    env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, SECRET_KEY: TEST_SECRET_KEY, DATA_DIR: mkdtempSync(join(tmpdir(), 'passby-cli-')) };
  });
  after(() => db.drop());

  const json = async (args: string[]): Promise<Record<string, unknown>> => {
    const result = await runPassby([...args, '--json'], env);
    assert.equal(result.code, 0, `passby ${args.join(' ')} failed:\n${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };

  it('prints help and lists the commands', async () => {
    const result = await runPassby(['--help'], env);
    assert.equal(result.code, 0);
    for (const command of ['start', 'serve', 'worker', 'migrate', 'org', 'user', 'venue', 'zone', 'gateway', 'sensor']) {
      assert.match(result.stdout, new RegExp(`\\n  ${command}\\b`));
    }
  });

  it('sets up an organisation end to end with --json and the records round-trip', async () => {
    const org = await json(['org', 'create', '--name', 'Scripted Org']);
    const orgId = String(org.orgId);
    assert.match(String(org.apiKey), /^pbk_/);

    const user = await json(['user', 'create', '--org', orgId, '--email', 'Analyst@Example.com', '--role', 'analyst']);
    assert.equal(user.email, 'analyst@example.com');
    assert.equal(typeof user.password, 'string');

    const venue = await json(['venue', 'create', '--org', orgId, '--name', 'Arcade', '--timezone', 'Europe/Paris', '--opening-hours', '{"mon":[["09:00","19:00"]]}']);
    const venueId = String(venue.venueId);
    const zone = await json(['zone', 'create', '--org', orgId, '--venue', venueId, '--name', 'Atrium']);
    const opennds = await json(['gateway', 'create', '--org', orgId, '--venue', venueId, '--zone', String(zone.zoneId), '--kind', 'opennds', '--fas-level', '3']);
    assert.match((opennds.secrets as { faskey: string }).faskey, /^[A-Za-z0-9_-]{32}$/);

    const caFile = join(env.DATA_DIR ?? '', 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const omada = await json([
      'gateway', 'create', '--org', orgId, '--venue', venueId, '--kind', 'omada', '--name', 'EAP245',
      '--controller-url', 'https://omada.local:8043', '--operator', 'hotspot', '--password', 'op-secret', '--ca-file', caFile, '--time-unit', 'us',
    ]);
    assert.deepEqual(omada.secrets, {}, 'a password the operator typed is not printed back');
    const sensor = await json(['sensor', 'create', '--org', orgId, '--venue', venueId, '--name', 'Door']);

    // Read everything back through the services, as the product would.
    const services = createServices({ db: db.pool, clock: systemClock, secretKey: TEST_SECRET_KEY });
    assert.equal((await services.organisations.authenticateApiKey(String(org.apiKey)))?.orgId, orgId);
    assert.equal((await services.organisations.authenticateStaff('analyst@example.com', String(user.password)))?.role, 'analyst');
    const stored = await services.venues.get(orgId, venueId);
    assert.deepEqual(stored.openingHours, { mon: [['09:00', '19:00']] });
    assert.equal(stored.timezone, 'Europe/Paris');
    const gw = await services.gateways.getWithSecrets(orgId, String(opennds.gatewayId));
    assert.deepEqual(gw.secrets, opennds.secrets);
    assert.equal(gw.gateway.zoneId, zone.zoneId);
    assert.deepEqual(gw.gateway.settings, { fasLevel: 3 });
    const om = await services.gateways.getWithSecrets(orgId, String(omada.gatewayId));
    assert.equal((om.secrets as { operatorPassword: string }).operatorPassword, 'op-secret');
    assert.equal((om.gateway.settings as { timeUnit: string }).timeUnit, 'us');
    assert.equal((await services.sensors.authenticate(String(sensor.token)))?.id, sensor.sensorId);
    // Secrets are sealed at rest: the database alone does not give them away.
    const { rows } = await db.pool.query<{ secrets: string }>('SELECT secrets FROM gateways');
    assert.ok(rows.every((r) => !r.secrets.includes('op-secret') && !r.secrets.includes((opennds.secrets as { faskey: string }).faskey)));

    const listed = await json(['venue', 'list', '--org', orgId]);
    assert.deepEqual(listed.venues, [{ venueId, name: 'Arcade', timezone: 'Europe/Paris' }]);
  });

  it('prints the snippet to paste into each gateway, and a phone\'s login log', async () => {
    const org = await json(['org', 'create', '--name', 'Config Org']);
    const orgId = String(org.orgId);
    const venue = await json(['venue', 'create', '--org', orgId, '--name', 'Hall', '--timezone', 'UTC']);
    const opennds = await json(['gateway', 'create', '--org', orgId, '--venue', String(venue.venueId), '--kind', 'opennds', '--fas-level', '2']);
    const faskey = (opennds.secrets as { faskey: string }).faskey;
    const conf = await runPassby(['gateway', 'config', String(opennds.gatewayId)], { ...env, PUBLIC_URL: 'http://203.0.113.5:8080' });
    assert.equal(conf.code, 0, conf.stderr);
    assert.match(conf.stdout, new RegExp(`^faspath /portal/opennds/${String(opennds.gatewayId)}$`, 'm'));
    assert.match(conf.stdout, /^fasremoteip 203\.0\.113\.5$/m);
    assert.match(conf.stdout, /^fasport 8080$/m);
    assert.match(conf.stdout, /^fas_secure_enabled 2$/m);
    assert.ok(conf.stdout.includes(`faskey ${faskey}`));
    assert.match(conf.stdout, /uci set opennds\.@opennds\[0\]\.faskey=/);

    const omada = await json([
      'gateway', 'create', '--org', orgId, '--venue', String(venue.venueId), '--kind', 'omada',
      '--controller-url', 'https://omada.example:8043', '--operator', 'op', '--password', 'pw',
    ]);
    const omadaConf = await runPassby(['gateway', 'config', String(omada.gatewayId)], { ...env, PUBLIC_URL: 'https://wifi.example.com' });
    assert.match(omadaConf.stdout, new RegExp(`https://wifi\\.example\\.com/portal/omada/${String(omada.gatewayId)}`));
    const missing = await runPassby(['gateway', 'config', '00000000-0000-4000-8000-000000000000'], env);
    assert.equal(missing.code, 1);

    const logins = await json(['portal', 'logins', '--org', orgId, '--phone', '+447400123456']);
    assert.deepEqual(logins, { phone: '+447400123456', logins: [], consents: [] });
    const bad = await runPassby(['portal', 'logins', '--org', orgId, '--phone', '12'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /international format/);
  });

  it('prints human-readable lines without --json', async () => {
    const result = await runPassby(['org', 'create', '--name', 'Human Org'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^orgId: [0-9a-f-]{36}\nname: Human Org\napiKey: pbk_/);
  });

  it('refuses bad input with a clear message and exit code 1, creating nothing', async () => {
    const org = await json(['org', 'create', '--name', 'Strict Org']);
    const bad = await runPassby(['venue', 'create', '--org', String(org.orgId), '--name', 'X', '--timezone', 'Mars/Base'], env);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), 'passby: timezone: expected an IANA time zone such as Europe/London');
    const badJson = await runPassby(['venue', 'create', '--org', String(org.orgId), '--name', 'X', '--timezone', 'UTC', '--opening-hours', '{mon'], env);
    assert.match(badJson.stderr, /--opening-hours must be JSON/);
    const role = await runPassby(['user', 'create', '--org', String(org.orgId), '--email', 'x@example.com', '--role', 'admin', '--json'], env);
    assert.equal(role.code, 1);
    assert.equal((JSON.parse(role.stderr) as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
    const missingOrg = await runPassby(['venue', 'create', '--org', '00000000-0000-4000-8000-000000000000', '--name', 'X', '--timezone', 'UTC'], env);
    assert.equal(missingOrg.code, 1);
    assert.match(missingOrg.stderr, /passby: /);
    const dupUser = await runPassby(['user', 'create', '--org', String(org.orgId), '--email', 'analyst@example.com', '--role', 'owner'], env);
    assert.equal(dupUser.code, 1);
    assert.match(dupUser.stderr, /Already exists/);
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM venues WHERE org_id = $1', [org.orgId]);
    assert.equal(rows[0]?.n, 0);
  });

  it('reports a missing required option through the usage message', async () => {
    const result = await runPassby(['org', 'create'], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /required option '--name <name>' not specified/);
  });

  it('refuses bad configuration with every problem listed and exit code 78', async () => {
    const result = await runPassby(['migrate'], { ...env, PORT: 'eighty', DATABASE_URL: 'mysql://db/x' });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /^Invalid environment variables:\n {2}- PORT: .*\n {2}- DATABASE_URL: /);
  });

  it('migrates an already migrated database without change', async () => {
    const again = await json(['migrate']);
    assert.deepEqual(again.applied, []);
  });
});
