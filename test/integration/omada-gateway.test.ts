import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { omadaPortalSettings } from '../../src/portal/gateways/omada.config.js';
import { OmadaControllerClient, type OmadaClientOptions } from '../../src/portal/gateways/omada.client.js';
import { OmadaGateway, type OmadaTimeUnit } from '../../src/portal/gateways/omada.gateway.js';
import { makeTestPki, startFakeOmada, type FakeOmada, type FakeOmadaOptions } from '../fakes/omada.server.js';

const CLIENT = '70-8A-09-65-4D-EC';
const AP = 'AC-84-C6-11-22-33';
const apLanding = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  clientMac: CLIENT, apMac: AP, ssidName: 'Cafe Guest', radioId: '1', site: 'Default', t: '1712345678000000',
  redirectUrl: 'http://captive.apple.com/hotspot-detect.html', ...extra,
});
const gatewayLanding = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  clientMac: CLIENT, gatewayMac: '50-D4-F7-5B-87-78', vid: '20', site: '5f3c2a1b9d8e7f6a5b4c3d2e', t: '1712345678000000', ...extra,
});
const badLanding = { code: 'PORTAL_BAD_LANDING' };
const unused = { authorise: () => Promise.reject(new Error('not expected')) };

function clientFor(fake: FakeOmada, overrides: Partial<OmadaClientOptions> = {}): OmadaControllerClient {
  return new OmadaControllerClient({
    controllerUrl: fake.url, operatorUsername: fake.operator.name, operatorPassword: fake.operator.password, caCertPem: fake.caCertPem, ...overrides,
  });
}

/** A raw HTTPS POST, for poking the emulator without our client's session handling. */
function rawPost(fake: FakeOmada, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: { errorCode: number; result?: { token: string } }; cookie: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${fake.url}${path}`, { method: 'POST', ca: fake.caCertPem, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as never, cookie: (res.headers['set-cookie'] ?? [''])[0]!.split(';')[0]! }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('OmadaGateway.parseLanding', () => {
  const gateway = new OmadaGateway({ client: unused, timeUnit: 'ms' });

  it('reads an AP portal landing: lower-case colon MAC, SSID, origin and the handle authorise echoes', () => {
    assert.deepEqual(gateway.parseLanding(apLanding()), {
      mac: '70:8a:09:65:4d:ec', ip: undefined, ssid: 'Cafe Guest', originUrl: 'http://captive.apple.com/hotspot-detect.html',
      handle: { mode: 'ap', apMac: AP, ssidName: 'Cafe Guest', radioId: '1', site: 'Default', t: '1712345678000000' },
    });
  });

  it('reads a gateway portal landing', () => {
    const client = gateway.parseLanding(gatewayLanding());
    assert.equal(client.ssid, undefined);
    assert.deepEqual(client.handle, { mode: 'gateway', gatewayMac: '50-D4-F7-5B-87-78', vid: '20', site: '5f3c2a1b9d8e7f6a5b4c3d2e', t: '1712345678000000' });
  });

  it('uses the configured site only when the landing has none', () => {
    const withSite = new OmadaGateway({ client: unused, site: 'Lobby', timeUnit: 'ms' });
    assert.equal(withSite.parseLanding(apLanding({ site: undefined })).handle.site, 'Lobby');
    assert.equal(withSite.parseLanding(apLanding()).handle.site, 'Default');
  });

  const malformed: [string, Record<string, unknown>, RegExp][] = [
    ['no clientMac', apLanding({ clientMac: undefined }), /clientMac parameter is missing/],
    ['a colon MAC', apLanding({ clientMac: '70:8A:09:65:4D:EC' }), /clientMac parameter is not a MAC/],
    ['a broadcast MAC', apLanding({ apMac: 'FF-FF-FF-FF-FF-FF' }), /apMac parameter is not a device MAC/],
    ['a repeated clientMac', apLanding({ clientMac: [CLIENT, 'AA-BB-CC-DD-EE-FF'] }), /clientMac parameter must appear once/],
    ['neither apMac nor gatewayMac', apLanding({ apMac: undefined }), /apMac or gatewayMac parameter is missing/],
    ['both apMac and gatewayMac', apLanding({ gatewayMac: AP }), /either apMac or gatewayMac/],
    ['radioId 2', apLanding({ radioId: '2' }), /radioId parameter must be 0/],
    ['no ssidName', apLanding({ ssidName: undefined }), /ssidName parameter is missing/],
    ['an SSID over 32 bytes', apLanding({ ssidName: 'é'.repeat(17) }), /ssidName parameter is not valid/],
    ['vid 0', gatewayLanding({ vid: '0' }), /vid parameter must be a VLAN id/],
    ['vid 4095', gatewayLanding({ vid: '4095' }), /vid parameter must be a VLAN id/],
    ['vid 1e3', gatewayLanding({ vid: '1e3' }), /vid parameter must be a VLAN id/],
    ['no site', apLanding({ site: undefined }), /site parameter is missing/],
    ['a control character in site', apLanding({ site: 'a\nb' }), /site parameter is not valid/],
    ['a non-numeric t', apLanding({ t: '12x' }), /t parameter is not valid/],
  ];
  for (const [what, query, message] of malformed) {
    it(`rejects a landing with ${what}`, () => {
      assert.throws(() => gateway.parseLanding(query), { ...badLanding, message });
    });
  }

  it('drops a redirectUrl that is not an absolute http(s) URL instead of redirecting there', () => {
    const unsafe = ['javascript:alert(1)', '//evil.example/x', '/relative', 'https://user:pw@evil.example/', 'ftp://evil.example/',
      ' https://evil.example/', 'http:\\\\evil.example', 'data:text/html,hi', 'https:///evil', `https://a.example/${'x'.repeat(2100)}`];
    for (const redirectUrl of unsafe) assert.equal(gateway.parseLanding(apLanding({ redirectUrl })).originUrl, undefined, redirectUrl);
    assert.equal(gateway.parseLanding(apLanding({ redirectUrl: 'HTTPS://Example.com/a?b=1' })).originUrl, 'https://example.com/a?b=1');
  });

  it('revoke reports that Omada cannot take a client off-line', async () => {
    assert.equal(await gateway.revoke(gateway.parseLanding(apLanding())), false);
  });
});

describe('OmadaGateway against an emulated Omada controller', () => {
  let fake: FakeOmada;
  before(async () => {
    fake = await startFakeOmada();
  });
  after(() => fake.close());

  const authorise = async (client: OmadaControllerClient, query: Record<string, unknown>, timeUnit: OmadaTimeUnit = 'ms', minutes = 30) => {
    const gateway = new OmadaGateway({ client, timeUnit });
    return gateway.authorise(gateway.parseLanding(query), { sessionMinutes: minutes });
  };

  it('authorises an AP client with the FAQ 3231 body, the session cookie and the CSRF token', async () => {
    const client = clientFor(fake);
    assert.deepEqual(await authorise(client, apLanding()), { kind: 'authorised' });
    assert.deepEqual(fake.authorised.at(-1)?.body, { clientMac: CLIENT, apMac: AP, ssidName: 'Cafe Guest', radioId: 1, site: 'Default', time: 1_800_000, authType: 4 });
    const [info, login, auth] = fake.requests.slice(-3);
    assert.equal(info?.path, '/api/info');
    assert.deepEqual(login?.body, { name: fake.operator.name, password: '[redacted]' });
    assert.deepEqual([login.cookieNames, login.csrfHeader], [[], false]);
    assert.deepEqual([auth?.path, auth?.cookieNames, auth?.csrfHeader], [`/${fake.omadacId}/api/v2/hotspot/extPortal/auth`, ['TPOMADA_SESSIONID'], true]);
    client.close();
  });

  it('authorises a gateway client with time in microseconds when configured', async () => {
    const client = clientFor(fake);
    await authorise(client, gatewayLanding(), 'us', 60);
    assert.deepEqual(fake.authorised.at(-1)?.body, {
      clientMac: CLIENT, gatewayMac: '50-D4-F7-5B-87-78', vid: 20, site: '5f3c2a1b9d8e7f6a5b4c3d2e', time: 3_600_000_000, authType: 4,
    });
    client.close();
  });

  it('is refused by the controller without both the session cookie and the matching Csrf-Token', async () => {
    const login = await rawPost(fake, `/${fake.omadacId}/api/v2/hotspot/login`, { name: fake.operator.name, password: fake.operator.password });
    const token = login.json.result?.token ?? '';
    const path = `/${fake.omadacId}/api/v2/hotspot/extPortal/auth`;
    const body = { clientMac: CLIENT, apMac: AP, ssidName: 'x', radioId: 0, site: 'Default', time: 60_000, authType: 4 };
    assert.equal((await rawPost(fake, path, body, { Cookie: login.cookie })).json.errorCode, -44109);
    assert.equal((await rawPost(fake, path, body, { 'Csrf-Token': token })).json.errorCode, -44109);
    assert.equal((await rawPost(fake, path, body, { Cookie: login.cookie, 'Csrf-Token': 'wrong' })).json.errorCode, -44109);
    assert.equal((await rawPost(fake, path, body, { Cookie: login.cookie, 'Csrf-Token': token })).json.errorCode, 0);
  });

  it('names the Omada error code and its meaning when the controller refuses', async () => {
    const client = clientFor(fake);
    fake.fail({ kind: 'errorCode', errorCode: -41501 });
    await assert.rejects(authorise(client, apLanding()), { code: 'GATEWAY_REJECTED', message: /errorCode -41501 \(failed to authenticate\)/ });
    fake.fail(undefined);
    const invalid = { clientMac: CLIENT, apMac: AP, ssidName: '', radioId: 0, site: 'Default', time: 1, authType: 4 as const };
    await assert.rejects(client.authorise(invalid), { code: 'GATEWAY_REJECTED', message: /errorCode -1001 \(invalid parameters\)/ });
    client.close();
  });

  it('treats a hung controller and an HTML error page as unavailable', async () => {
    const client = clientFor(fake, { timeoutMs: 300 });
    await authorise(client, apLanding());
    fake.fail({ kind: 'hang' });
    await assert.rejects(authorise(client, apLanding()), { code: 'GATEWAY_UNAVAILABLE', message: /did not answer within 300 ms/ });
    fake.fail({ kind: 'status', status: 502 });
    await assert.rejects(authorise(client, apLanding()), { code: 'GATEWAY_UNAVAILABLE', message: /HTTP 502 and no API reply/ });
    fake.fail(undefined);
    client.close();
  });

  it('reports a wrong operator password clearly, without echoing it', async () => {
    const client = clientFor(fake, { operatorPassword: 'not-the-password' });
    const error = await authorise(client, apLanding()).then(() => assert.fail('authorised'), (e: unknown) => e as Error);
    assert.match(error.message, /operator login failed: errorCode -30109 .*check the operator user name and password/);
    assert.doesNotMatch(error.message, /not-the-password/);
    assert.equal((error as { code?: string }).code, 'GATEWAY_REJECTED');
  });

  it('refuses a controller whose certificate is not from the pinned CA', async () => {
    const other = await makeTestPki();
    await assert.rejects(authorise(clientFor(fake, { caCertPem: other.caCertPem }), apLanding()), {
      code: 'GATEWAY_UNAVAILABLE', message: /TLS certificate could not be verified .*not issued by the CA in the gateway settings/,
    });
  });

  it('does not trust a self-signed controller when no CA is given', async () => {
    await assert.rejects(authorise(clientFor(fake, { caCertPem: undefined }), apLanding()), {
      code: 'GATEWAY_UNAVAILABLE', message: /TLS certificate could not be verified .*paste the CA/,
    });
  });

  it('reports a controller that is down as unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(authorise(clientFor(fake, { controllerUrl: `https://127.0.0.1:${port}` }), apLanding()), {
      code: 'GATEWAY_UNAVAILABLE', message: /could not reach the Omada controller \(ECONNREFUSED\)/,
    });
  });
});

describe('Omada operator sessions', () => {
  const fakes: FakeOmada[] = [];
  const start = async (options: FakeOmadaOptions): Promise<FakeOmada> => {
    const fake = await startFakeOmada(options);
    fakes.push(fake);
    return fake;
  };
  after(() => Promise.all(fakes.map((fake) => fake.close())));

  const gatewayOn = (client: OmadaControllerClient): ((n?: number) => Promise<unknown>) => {
    const gateway = new OmadaGateway({ client, timeUnit: 'ms' });
    return (n = 1) => Promise.all(Array.from({ length: n }, () => gateway.authorise(gateway.parseLanding(apLanding()), { sessionMinutes: 5 })));
  };

  for (const expiredStyle of ['errorCode', 'status401', 'loginRedirect'] as const) {
    it(`logs in again once when the session expires (${expiredStyle})`, async () => {
      const fake = await start({ expiredStyle, cookieName: expiredStyle === 'errorCode' ? 'TPEAP_SESSIONID' : 'TPOMADA_SESSIONID' });
      const run = gatewayOn(clientFor(fake));
      await run();
      fake.expireSessions();
      await run();
      assert.equal(fake.logins, 2);
      assert.equal(fake.authorised.length, 2);
    });
  }

  it('logs in once for concurrent authorisations, and once again after they all find it expired', async () => {
    const fake = await start({ loginDelayMs: 100 });
    const run = gatewayOn(clientFor(fake));
    await run(5);
    assert.equal(fake.logins, 1);
    fake.expireSessions();
    await run(5);
    assert.equal(fake.logins, 2);
    assert.equal(fake.authorised.length, 10);
    assert.equal(fake.requests.filter((r) => r.path === '/api/info').length, 1);
  });
});

describe('omadaPortalSettings', () => {
  it('tells the installer the portal URL, the operator to create and the walled-garden host', () => {
    const text = omadaPortalSettings({ publicUrl: 'https://wifi.example.com/', gatewayId: 'gw_123' });
    assert.match(text, /Authentication Type: External Portal Server/);
    assert.match(text, /Custom Portal Server URL: https:\/\/wifi\.example\.com\/portal\/omada\/gw_123\n/);
    assert.match(text, /Hotspot Manager > Operators/);
    assert.match(text, /Pre-Authentication Access: enable, add URL https:\/\/wifi\.example\.com\n/);
  });
});
