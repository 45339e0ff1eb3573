/**
 * Our openNDS landing under load from wrk (a second process) on loopback: the real app as `passby serve`
 * builds it (templates compiled once, the default pool of 10 PostgreSQL connections, logging off), over a
 * database of its own and a Redis key prefix of its own on the test services (TEST_DATABASE_URL /
 * TEST_REDIS_URL), with Twilio faked at its HTTP edge as in the tests. Every request is a whole landing:
 * decode the level 1 `fas`, look the gateway up, ask whether the device is known, save the flow in Redis,
 * render the phone page. /healthz is measured by the same wrk on the same server as the baseline.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool } from '../src/db/pool.js';
import { createRedisFactory } from '../src/queue/connection.js';
import { createLogger } from '../src/shared/logger.js';
import { startFakeTwilio } from '../test/fakes/twilio.server.js';
import { buildTestApp, testConfig } from '../test/helpers/context.js';
import { createTestDatabase } from '../test/helpers/database.js';
import { TEST_REDIS_URL } from '../test/helpers/env.js';
import { newOrg } from '../test/helpers/factories.js';
import { fakeTwilioEnv } from '../test/helpers/portal.js';
import { deletePrefix, testPrefix } from '../test/helpers/redis.js';
import { runWrk, type WrkResult } from './opennds-splash.js';

export interface LandingBenchOptions {
  durationSeconds: number;
  connections: number;
  threads: number;
  /** Distinct visitors (MAC, IP, hid) the landings cycle through. */
  clients?: number;
}

export interface LandingBenchResult {
  healthz: WrkResult;
  landing: WrkResult;
  clients: number;
}

/** Only the phone page has this form: a landing that failed (error page) does not. */
const LANDING_MARKER = '/phone"';
const WARM_UP_SECONDS = 3;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** A private (randomised) MAC, as phones use by default on a network they join: the locally administered bit is set. */
function randomisedMac(): string {
  const bytes = randomBytes(6);
  bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/**
 * The level 1 `fas` value openNDS 9.10 puts on its redirect: base64 of its "k=v, k=v" list, fields in the
 * order, encoding and `(null)` tail a real gateway sends (see src/portal/gateways/opennds.fas.ts).
 */
export function level1Fas(client: { hid: string; ip: string; mac: string }): string {
  const text =
    `hid=${client.hid}, clientip=${client.ip}, clientmac=${client.mac}, client_type=cpd_can, gatewayname=Bench%20Caf%c3%a9, ` +
    'gatewayurl=http%3a%2f%2fstatus.client, version=9.10.0, gatewayaddress=10.20.0.1:2050, gatewaymac=020000000001, ' +
    'originurl=http%3a%2f%2fexample.com%2f, clientif=br-lan, themespec=(null), (null)(null)(null)(null)';
  return Buffer.from(text, 'utf8').toString('base64');
}

/** One landing path per visitor; like openNDS we do not percent-encode the base64 (the app turns ' ' back into '+'). */
export function landingPaths(gatewayId: string, clients: number): string[] {
  return Array.from({ length: clients }, (_, i) => {
    const ip = `10.20.${Math.floor(i / 250) % 250}.${(i % 250) + 2}`;
    return `/portal/opennds/${gatewayId}?fas=${level1Fas({ hid: hex(32), ip, mac: randomisedMac() })}`;
  });
}

/** The app on 127.0.0.1 with one organisation, venue and level 1 openNDS gateway; close() removes all it made. */
async function startPortal(): Promise<{ base: string; gatewayId: string; close(): Promise<void> }> {
  const [database, twilio] = await Promise.all([createTestDatabase(), startFakeTwilio()]);
  const prefix = testPrefix();
  const config = testConfig({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    ...fakeTwilioEnv(twilio),
  });
  const pool = createPool(database.url, config.database.poolSize, createLogger('silent'));
  const redis = createRedisFactory(TEST_REDIS_URL);
  const { app, services } = buildTestApp(config, { ...database, pool }, redis.create('client'));
  const server = createServer(app);
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([twilio.close(), redis.closeAll(), pool.end()]);
    await deletePrefix(prefix);
    await database.drop();
    rmSync(config.dataDir, { recursive: true, force: true });
  };
  try {
    const org = await newOrg(services, 'Bench');
    const { gateway } = await services.gateways.create(org.orgId, { kind: 'opennds', venueId: org.venueId, name: 'Bench gateway', fasLevel: 1 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, gatewayId: gateway.id, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** /healthz, then the landing (after a warm-up), each for `durationSeconds` with the same wrk settings. */
export async function measurePortalLanding(options: LandingBenchOptions): Promise<LandingBenchResult> {
  const clients = options.clients ?? 4096;
  const portal = await startPortal();
  try {
    const paths = landingPaths(portal.gatewayId, clients);
    const first = await fetch(`${portal.base}${paths[0] ?? ''}`);
    const page = await first.text();
    if (first.status !== 200 || !page.includes(LANDING_MARKER)) throw new Error(`the landing answered ${first.status} without the phone page:\n${page.slice(0, 2000)}`);
    const wrk = { connections: options.connections, threads: options.threads };
    await runWrk(`${portal.base}/`, { ...wrk, durationSeconds: Math.min(WARM_UP_SECONDS, options.durationSeconds), paths });
    const healthz = await runWrk(`${portal.base}/healthz`, { ...wrk, durationSeconds: options.durationSeconds, marker: '"ok"' });
    const landing = await runWrk(`${portal.base}/`, { ...wrk, durationSeconds: options.durationSeconds, marker: LANDING_MARKER, paths });
    return { healthz, landing: { ...landing, url: `${portal.base}/portal/opennds/${portal.gatewayId}?fas=…` }, clients };
  } finally {
    await portal.close();
  }
}
