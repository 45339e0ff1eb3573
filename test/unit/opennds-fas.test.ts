import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import { AppError } from '../../src/shared/errors.js';
import type { AuthmonQueue } from '../../src/portal/gateways/opennds.authmon.js';
import { openndsConfigSnippet } from '../../src/portal/gateways/opennds.config.js';
import { authUrl, decodeFasLanding, normaliseMac, rhid } from '../../src/portal/gateways/opennds.fas.js';
import { OpenndsGateway } from '../../src/portal/gateways/opennds.gateway.js';

const HID = '36e368426f5159cf42b8f8b8b961cfb448b79dd36cb14c69a1b4ea49b780de45';
const KEY = 'k3Y9pLq2Wz8xN4vB7mR1tH6jC0sD5fGa';

/*
 * Level 2 vectors made by the real PHP code path: the PHP program openNDS 9.10
 * builds in construct_querystring() (src/http_microhttpd.c), run with the
 * installed php 8.2 as `echo '<?php $key="…"; $string="…"; $cipher="aes-256-cbc";
 * … $iv = substr(openssl_digest(base64_encode(openssl_random_pseudo_bytes("8")), "sha256"), 0, 16);
 * $string = base64_encode(openssl_encrypt($string, $cipher, $key, 0, $iv));
 * echo "?fas=".$string."&iv=".$iv; ?>' | php`
 * with $string = LEVEL2_PLAIN below: the 9.10 level 2/3 fields as a real gateway sends them (see REAL_* below):
 * authdir included, gatewaymac without colons, unset themespec and custom parameters printed as "(null)".
 */
const LEVEL2_PLAIN =
  `hid=${HID}, clientip=192.0.2.10, clientmac=0a:1b:2c:3d:4e:5f, client_type=cpd_can, gatewayname=Caf%c3%a9%20Passby, ` +
  'gatewayurl=http%3a%2f%2fstatus.client, version=9.10.0, gatewayaddress=192.0.2.1:2050, gatewaymac=020000000001, authdir=opennds_auth, ' +
  'originurl=http%3a%2f%2fexample.com%2fnews%3fa%3d1%26b%3d2, clientif=br-lan, themespec=(null), (null)(null)(null)(null)';
/** $key = KEY (32 characters, as GatewayService issues them). */
const LEVEL2 = {
  fas: 'dGdRRkdveWpWbXJsbUxWd2ZEaGpEN3NCQ0IxQnpia21rNDZheEhBdHpLSE93d0F1QnhTNDN4U0pSV0ZWZzI5aXZLVUtLbDhKQnpHeGRvU0d2WXdyVGZxMjQybUxEKzc2aUdVUHZYdXdLL2FNSVVWdDVPUnBnTUpMcC85UmZ1dUNiYUhhS0FEMHVZcG1ZbTk0ZHJ0b1lLNVAzYWlLaUFrSHVQdHkwaG9yTzI0V2t1OGw3ZGRLc2g2SVdIaUR6ZjM3a0JiMjdobm1BbyttcjBYTE9QZTdPbGtPbzRWMExHeHlyalA1bXE4K3NqUnAyclhVbzZkMERLQTcwekxtS0dIY0JTaXdpdWpoUmh2TGRTOWZpMW1VV0lId1F1YXNNb1Ftb1gxTlBhNjNkMHNLQk9ubndod05FdkdjWDF3dy96RkYwZG50eDhGTXd4VWphS3g3TWpRdXp5RFFaVSt4WFY0QUp6VUg5VjBRSjk1NUx5aGJDVlF2Q1Z5cDBFcnJ4dXFVeVQvcmxXL216VnlSYkFBSDZxV3c4WndoVUdubjFvYWRjRnZWcUNaK3Z4THhDZzZpa1hZalZ5MTVLbk1ZUHEwRTNyTXl3VkxCelNRd0hJc1Fzb1daWlBmTEFEby9ZY1NweERZY0hOc2dYaWJIZ1ppZ3JHMVlla0VrWTZERy9PK3E4Mi9PUGxWTGUvK0NHRmU4WDB6ckl2Qy9VVHVqQXc3VUQ0Z05UbEpZdWZXZ0NodCs1M0RKN0JCUjlmaWRQd3Rs',
  iv: '4d46d9865e533542',
};
/** $key = "1234567890" (openNDS's default faskey): PHP NUL-pads it to 32 bytes. */
const LEVEL2_SHORT_KEY = {
  fas: 'ckZ6YWFxaStlVVZVQ3JEZzNxN09sNXg3TDQ5cnFVbnRoMHg4cEIxOTI5RVdlKzB5M1RrMyttb0ZlUnRydGl3ZWxqem5LNlgwREpJK2xOVlpZVnR2aTFVNkZaYnRpdHY0eE5aTm9uZHVWVGtGWHpqTFU0dE96TklnMTFJR2JORTV5b0JmdXhlQk55Tzk0WDVLMklTNURRbjJTdWc5ZXBMVHdOQ2tXVUx3UTVTaXBweVpqYTVDajZaZzFULzNmSFR3KzlOT2k5Wkd4UzdnVEs5TWtWTUxHSEFNVUV1MjF1TlkxN0kyWDhMN0htUlB1ak5hMkhyVGxTc0xxekQvNEhPL1pBSmUrVGJ4ZDlKZUN4QlhUMEEzTDZnZmVXazFnMXhsdjBUbEo2NkhGbkwyRDIzOVRCMVFoNE16K0d1K29UZkNBSUVUQ2JqMER4dlloeFNjeWFXbXdwVHBoNVN2ZUFLM1RpY3JqMGhZbm1tVWd5WlJzQlFzY1Y1SXZmb25SV1FJd0lQN0E4T0RRUzlFTmRWOXdsalFJNE1BTHRpeDRMbkt5ZUtCY2Zrc3YyMFlIaWZqTVpBQzE2bjVzK3lQNCtOWXdnWE1MWHZ6VTN3c1ZsRjB0dlo3VlF2UVZpM3JkTWhYV1ptb1plaS9jbyt4RWhxS1NjNTYyMGU3aWFITFN0WmEvaFZva1M3NUMxM1ZyRWk1MGN4UDRaaitIVlFrUkVDbi9sK0pUWFZGZ1FoVSsyRXFaa1Y5bmtLZ0dYRmlpS2ta',
  iv: '0178c990be46599f',
};
/**
 * Level 1: base64 (openNDS b64_encode, standard alphabet; made with PHP base64_encode) of the
 * 9.10 level 1 fields. The `~` openNDS leaves unescaped in originurl lands where base64 gives a `+`.
 */
const LEVEL1_FAS =
  'aGlkPTM2ZTM2ODQyNmY1MTU5Y2Y0MmI4ZjhiOGI5NjFjZmI0NDhiNzlkZDM2Y2IxNGM2OWExYjRlYTQ5Yjc4MGRlNDUsIGNsaWVudGlwPTE5Mi4wLjIuMTAsIGNsaWVudG1hYz0wYToxYjoyYzozZDo0ZTo1ZiwgY2xpZW50X3R5cGU9Y3BkX2NhbiwgZ2F0ZXdheW5hbWU9dGVzdGd3LCBnYXRld2F5dXJsPWh0dHAlM2ElMmYlMmZzdGF0dXMuY2xpZW50LCB2ZXJzaW9uPTkuMTAuMCwgZ2F0ZXdheWFkZHJlc3M9MTkyLjAuMi4xOjIwNTAsIGdhdGV3YXltYWM9MDIwMDAwMDAwMDAxLCBvcmlnaW51cmw9aHR0cCUzYSUyZiUyZmV4YW1wbGUuY29tJTJmYWJ+YW5uJTJmLCBjbGllbnRpZj1ici1sYW4sIHRoZW1lc3BlYz0obnVsbCksIChudWxsKShudWxsKShudWxsKShudWxsKQ==';

/*
 * Captured from a real openNDS 9.10.0 (Debian package) run in network namespaces
 * (notes/opennds-in-netns.md), GatewayName "Café Passby", faskey KEY: the 307
 * Location the gateway sent the client, and the token the gateway then accepted.
 */
/** Level 1, enable_serial_number_suffix 0: the gateway let the client on at /opennds_auth/?tok=REAL_LEVEL1_TOK. */
const REAL_LEVEL1 = { fas: 'aGlkPThiZTIzMmM4YTlkMmI3OTU4YTNkYzYxZDg0YzgwYmQ1YzM0MmU4MTAzNTA2YWYzYzk2ZThhOTc5MmE0Y2UxMjIsIGNsaWVudGlwPTE5Mi4wLjIuMTAsIGNsaWVudG1hYz0wMjowMDowMDowMDowMDowYSwgY2xpZW50X3R5cGU9Y3BkX2NhbiwgZ2F0ZXdheW5hbWU9Q2FmJWMzJWE5JTIwUGFzc2J5LCBnYXRld2F5dXJsPWh0dHAlM2ElMmYlMmZzdGF0dXMuY2xpZW50LCB2ZXJzaW9uPTkuMTAuMCwgZ2F0ZXdheWFkZHJlc3M9MTkyLjAuMi4xOjIwNTAsIGdhdGV3YXltYWM9M2FhZjQwMzk1Mjg5LCBvcmlnaW51cmw9aHR0cCUzYSUyZiUyZjE5OC41MS4xMDAuMiUyZiwgY2xpZW50aWY9ZzAyMjczNiwgdGhlbWVzcGVjPShudWxsKSwgKG51bGwpKG51bGwpKG51bGwpKG51bGwp' };
const REAL_LEVEL1_TOK = 'fd172051d1975dbd9573de9cd3660d4bea9aba5864112283e2e415fad88d28f6';
/** Level 3, serial-number suffix on (the default): authmon ran `ndsctl auth REAL_LEVEL3_RHID …` and the client was Authenticated. */
const REAL_LEVEL3 = {
  fas: 'WXR5SWpQaldKOW5QbkZYd05RVmlIcnkyR3hsbENqSzdrRHQ3VHczQk9tTDRFS0dZSWRlMFF2a3FFOXQvcmRlRUNKeDdjU20zc2FJTjVDS0JkSkJFdjkrM0ZIT0xzS1JTWTBETDU3ZHZvRUhFMUhHMkdJQUNMM05LZmZ6ZmtyZEpmS1hkMFFSYjMvTnB3S28veWpmanNxM0JneHMzNnBtY2hLaWFGcnM0bElDWmpzS2RiLzlETUl4RHRCdXRPU09sV1NQVld5Z3l0ckp4bFdOWlIvUEw0QlhtZG5TdDdXemZxYXlNVmpKVEQvSFpSbkpuVmMzNVYvSWFpWWhqV09HRkdDaWhQcThvUDFidGJLUVJsTG5xTkNJbm15SkhTaDRULzZSVGY4VzM0M05PUk5pZjV2WjIySThPbnE0ZG1PUkFqTTA5ZS9oQkRrUmplT2o0bEYwYlFvR3RjbDFRYUUycjI3djlsakE2RWs5c2Raa3pweTQrd1JRMjhPUmRMLy9EdlNUbVlYMmhJd3l1c0c1aWozMFV6ZXlHaFFRV1FVcVExczJ5N0FqaDRQNTVEcGJQdk51N3J5dnZyd0N4UHlOQnZPckNWeFVPaExXVENSMjFQMlo3UWhvRlg2VzArNEYwR1JmeU13YlpNQlhZOHRVR1NTaXc5N2VpOFh5aVU4QWkyc0RMUC9haDcvTlA2b241WEI0b2F3Z3JBWHFYTTRzajBKUXY4U2lNV0JtMEEwN090YkF2ZGJSNGFoYmN1NWlv',
  iv: '9736bda776ed59f4',
};
const REAL_LEVEL3_RHID = '3be3660170d836a00dbf3d07b133087b8d95e1aec2af6f65041e3ae03e813fec';

const level1Text = (): string => Buffer.from(LEVEL1_FAS, 'base64').toString('utf8');
const forgeLevel1 = (replace: (text: string) => string): { fas: string } => ({ fas: Buffer.from(replace(level1Text()), 'utf8').toString('base64') });

function rejects(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, 'PORTAL_BAD_LANDING');
    assert.match(error.message, message);
    return true;
  });
}

describe('openNDS FAS level 2 landing', () => {
  it('is a vector of what the text says: base64(base64(AES-256-CBC(plain, key, 16 ASCII iv bytes)))', () => {
    const decipher = createDecipheriv('aes-256-cbc', Buffer.from(KEY), Buffer.from(LEVEL2.iv, 'latin1'));
    const ciphertext = Buffer.from(Buffer.from(LEVEL2.fas, 'base64').toString('latin1'), 'base64');
    assert.equal(Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'), LEVEL2_PLAIN);
  });

  it('decrypts the PHP-made vector with the gateway key and decodes every field', () => {
    const payload = decodeFasLanding(2, LEVEL2, KEY);
    assert.deepEqual(payload, {
      hid: HID,
      clientip: '192.0.2.10',
      clientmac: '0a:1b:2c:3d:4e:5f',
      client_type: 'cpd_can',
      gatewayname: 'Café Passby',
      gatewayurl: 'http://status.client',
      version: '9.10.0',
      gatewayaddress: '192.0.2.1:2050',
      gatewaymac: '02:00:00:00:00:01',
      authdir: 'opennds_auth',
      originurl: 'http://example.com/news?a=1&b=2',
      clientif: 'br-lan',
      themespec: undefined,
      extra: {},
    });
  });

  it('pads a short faskey with NULs as PHP does', () => {
    assert.equal(decodeFasLanding(3, LEVEL2_SHORT_KEY, '1234567890').hid, HID);
  });

  it('refuses a wrong key with PORTAL_BAD_LANDING, never a crypto error', () => {
    rejects(() => decodeFasLanding(2, LEVEL2, 'k3Y9pLq2Wz8xN4vB7mR1tH6jC0sD5fGb'), /does not decrypt with this gateway's faskey/);
    rejects(() => decodeFasLanding(2, LEVEL2_SHORT_KEY, KEY), /does not decrypt with this gateway's faskey/);
  });

  it('refuses garbled, truncated and non-base64 ciphertext', () => {
    const flip = (text: string, at: number): string => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    const inner = Buffer.from(LEVEL2.fas, 'base64').toString('latin1');
    const tampered = Buffer.from(flip(inner, 100), 'latin1').toString('base64');
    rejects(() => decodeFasLanding(2, { ...LEVEL2, fas: tampered }, KEY), /decrypted fas is not UTF-8 text/);
    rejects(() => decodeFasLanding(2, { ...LEVEL2, fas: flip(LEVEL2.fas, 100) }, KEY), /fas \(inner\) is not base64/);
    rejects(() => decodeFasLanding(2, { ...LEVEL2, iv: '0000000000000000' }, KEY), /hid is missing/);
    rejects(() => decodeFasLanding(2, { ...LEVEL2, fas: LEVEL2.fas.slice(0, 64) }, KEY), /fas is not AES-CBC ciphertext/);
    rejects(() => decodeFasLanding(2, { ...LEVEL2, fas: 'not base64!' }, KEY), /fas is not base64/);
  });

  it('refuses a missing, malformed or duplicated iv and says which level looks wrong', () => {
    rejects(() => decodeFasLanding(2, { fas: LEVEL2.fas }, KEY), /no iv parameter .*level 1/);
    rejects(() => decodeFasLanding(2, { ...LEVEL2, iv: 'zz7e23392297cb98' }, KEY), /iv is not 16 hex/);
    rejects(() => decodeFasLanding(2, { ...LEVEL2, iv: [LEVEL2.iv, LEVEL2.iv] }, KEY), /iv must appear once/);
    rejects(() => decodeFasLanding(1, LEVEL2, KEY), /iv came with a level 1 landing/);
    rejects(() => decodeFasLanding(2, {}, KEY), /no fas parameter/);
  });
});

describe('openNDS FAS level 1 landing', () => {
  it('decodes the base64 fields; level 1 sends no authdir', () => {
    const payload = decodeFasLanding(1, { fas: LEVEL1_FAS }, KEY);
    assert.equal(payload.hid, HID);
    assert.equal(payload.gatewayname, 'testgw');
    assert.equal(payload.authdir, undefined);
    assert.equal(payload.originurl, 'http://example.com/ab~ann/');
  });

  it("keeps a '+' that query parsing turned into a space", () => {
    assert.ok(LEVEL1_FAS.includes('+'));
    const asExpressParsesIt = LEVEL1_FAS.replace(/\+/g, ' ');
    assert.equal(decodeFasLanding(1, { fas: asExpressParsesIt }, KEY).originurl, 'http://example.com/ab~ann/');
  });

  it('refuses forged fields', () => {
    rejects(() => decodeFasLanding(1, forgeLevel1((t) => t.replace(`hid=${HID}`, 'hid=1234')), KEY), /hid is not 64 hex/);
    rejects(() => decodeFasLanding(1, forgeLevel1((t) => t.replace(`hid=${HID}, `, '')), KEY), /hid is missing/);
    rejects(() => decodeFasLanding(1, forgeLevel1((t) => `${t}, hid=${HID}`), KEY), /hid appears twice/);
    rejects(() => decodeFasLanding(1, forgeLevel1((t) => t.replace('0a:1b:2c:3d:4e:5f', '0a:1b:2c:3d:4e')), KEY), /clientmac/);
    rejects(() => decodeFasLanding(1, forgeLevel1((t) => t.replace('clientip=192.0.2.10', 'clientip=192.0.2.300')), KEY), /clientip/);
    rejects(() => decodeFasLanding(1, forgeLevel1((t) => t.replace('192.0.2.1:2050', '192.0.2.1')), KEY), /gatewayaddress/);
    rejects(() => decodeFasLanding(1, forgeLevel1((t) => t.replace('192.0.2.1:2050', 'evil.example:80')), KEY), /gatewayaddress/);
    rejects(() => decodeFasLanding(1, { fas: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64') }, KEY), /UTF-8/);
  });

  it('refuses an originurl that is not absolute http(s)', () => {
    const origin = (value: string) => forgeLevel1((t) => t.replace('http%3a%2f%2fexample.com%2fab~ann%2f', value));
    rejects(() => decodeFasLanding(1, origin('javascript%3aalert(1)'), KEY), /originurl must be http or https/);
    rejects(() => decodeFasLanding(1, origin('%2fnews'), KEY), /originurl is not an absolute URL/);
    rejects(() => decodeFasLanding(1, origin('%e0%a4%a'), KEY), /originurl is not percent-encoded/);
    assert.equal(decodeFasLanding(1, origin(''), KEY).originurl, undefined);
  });
});

describe('landings captured from a real openNDS 9.10 gateway', () => {
  it('decodes level 1 and derives the token the gateway accepted', () => {
    const payload = decodeFasLanding(1, REAL_LEVEL1, KEY);
    assert.equal(payload.gatewayname, 'Café Passby');
    assert.equal(payload.clientmac, '02:00:00:00:00:0a');
    assert.equal(payload.gatewaymac, '3a:af:40:39:52:89');
    assert.equal(payload.originurl, 'http://198.51.100.2/');
    assert.equal(payload.themespec, undefined);
    assert.equal(rhid(payload.hid, KEY), REAL_LEVEL1_TOK);
  });

  it('decrypts level 3, with the " Node:<mac> " suffix openNDS adds to the name by default', () => {
    const payload = decodeFasLanding(3, REAL_LEVEL3, KEY);
    assert.equal(payload.gatewayname, 'Café Passby Node:6e806538b0cb ');
    assert.equal(payload.authdir, 'opennds_auth');
    assert.equal(payload.gatewayaddress, '192.0.2.1:2050');
    assert.equal(rhid(payload.hid, KEY), REAL_LEVEL3_RHID);
  });
});

describe('openNDS token and auth URL', () => {
  it('computes rhid = sha256(hid + faskey) (vector from PHP hash("sha256", $hid.$key))', () => {
    assert.equal(rhid(HID, KEY), '0a6168f73345b62261bfe3642477424fcff6a10a34493d95730c37fb742ec7f6');
  });

  it('builds http://<gatewayaddress>/<authdir>/?tok=…&redir=…', () => {
    const token = rhid(HID, KEY);
    assert.equal(
      authUrl({ gatewayaddress: '192.0.2.1:2050', authdir: undefined }, token, 'http://example.com/news?a=1&b=2'),
      `http://192.0.2.1:2050/opennds_auth/?tok=${token}&redir=http%3A%2F%2Fexample.com%2Fnews%3Fa%3D1%26b%3D2`,
    );
    assert.match(authUrl({ gatewayaddress: '10.0.0.1:2050', authdir: 'my_auth' }, token, 'https://x.test/'), /^http:\/\/10\.0\.0\.1:2050\/my_auth\/\?tok=/);
    assert.throws(() => authUrl({ gatewayaddress: '10.0.0.1:2050', authdir: undefined }, token, 'javascript:alert(1)'), AppError);
    assert.throws(() => authUrl({ gatewayaddress: '10.0.0.1:2050', authdir: '../x' }, token, 'https://x.test/'), AppError);
  });

  it('normalises MACs to lower-case colons', () => {
    assert.equal(normaliseMac('70-8A-09-65-4D-EC'), '70:8a:09:65:4d:ec');
    assert.equal(normaliseMac('708A.0965.4DEC'), '70:8a:09:65:4d:ec');
    assert.equal(normaliseMac('708a09654dec'), '70:8a:09:65:4d:ec');
    assert.equal(normaliseMac('70:8a-09:65:4d:ec'), undefined);
    assert.equal(normaliseMac('70:8a:09:65:4d'), undefined);
  });
});

describe('OpenndsGateway at levels 1 and 2', () => {
  const noAuthmon = {} as unknown as AuthmonQueue;

  it('turns a landing into a client and authorises by redirecting to the gateway', async () => {
    const gateway = new OpenndsGateway({ gatewayId: 'g1', fasLevel: 2, faskey: KEY, authmon: noAuthmon });
    const client = gateway.parseLanding(LEVEL2);
    assert.equal(client.mac, '0a:1b:2c:3d:4e:5f');
    assert.equal(client.ip, '192.0.2.10');
    assert.equal(client.originUrl, 'http://example.com/news?a=1&b=2');
    assert.deepEqual(client.handle, { hid: HID, gatewayaddress: '192.0.2.1:2050', gatewayname: 'Café Passby', level: '2', authdir: 'opennds_auth' });
    const outcome = await gateway.authorise(client, { sessionMinutes: 60 });
    assert.deepEqual(outcome, { kind: 'redirect', url: authUrl({ gatewayaddress: '192.0.2.1:2050', authdir: 'opennds_auth' }, rhid(HID, KEY), 'http://example.com/news?a=1&b=2') });
    assert.equal(await gateway.revoke(client), false);
    assert.equal(await gateway.isAuthorised(rhid(HID, KEY)), false);
  });

  it('falls back to the gateway status page when the visitor had no origin URL', async () => {
    const gateway = new OpenndsGateway({ gatewayId: 'g1', fasLevel: 1, faskey: KEY, authmon: noAuthmon });
    const client = { ...gateway.parseLanding({ fas: LEVEL1_FAS }), originUrl: undefined };
    const outcome = await gateway.authorise(client, { sessionMinutes: 60 });
    assert.ok(outcome.kind === 'redirect');
    assert.match(outcome.url, /\/opennds_auth\/\?tok=[0-9a-f]{64}&redir=http%3A%2F%2F192\.0\.2\.1%3A2050%2F$/);
  });

  it('refuses a flow handle that lost its hid', async () => {
    const gateway = new OpenndsGateway({ gatewayId: 'g1', fasLevel: 2, faskey: KEY, authmon: noAuthmon });
    const client = gateway.parseLanding(LEVEL2);
    await assert.rejects(gateway.authorise({ ...client, handle: { ...client.handle, hid: 'x' } }, { sessionMinutes: 1 }), AppError);
  });
});

describe('openNDS config snippet', () => {
  const base = { gatewayId: 'gw-1', faskey: KEY };

  it('uses fasremotefqdn for a host name, https port 443 and the gateway path at level 3', () => {
    const text = openndsConfigSnippet({ ...base, publicUrl: 'https://wifi.example.com/base/', fasLevel: 3, gatewayName: "Bob's", fasRemoteIp: '203.0.113.7' });
    for (const line of ['fasport 443', 'fasremoteip 203.0.113.7', 'fasremotefqdn wifi.example.com', 'faspath /base/portal/opennds/gw-1', 'fas_secure_enabled 3', `faskey ${KEY}`, "GatewayName Bob's", 'enable_serial_number_suffix 0', 'login_option_enabled 0']) {
      assert.ok(text.split('\n').includes(line), `missing "${line}"`);
    }
    assert.ok(text.includes(`uci set opennds.@opennds[0].gatewayname='Bob'\\''s'`));
    assert.ok(text.includes('uci commit opennds; service opennds restart'));
    assert.match(text, /ca-bundle/);
  });

  it('uses fasremoteip alone for an address, and plain http at levels 1 and 2', () => {
    const text = openndsConfigSnippet({ ...base, publicUrl: 'http://198.51.100.2:2080', fasLevel: 1 });
    assert.ok(text.includes('fasremoteip 198.51.100.2\n') && text.includes('fasport 2080\n'));
    assert.ok(!text.includes('fasremotefqdn'));
    assert.ok(!text.split('\n').includes('fasport 80'));
  });

  it('refuses level 3 without https, IPv6 hosts and keys openNDS cannot embed', () => {
    assert.throws(() => openndsConfigSnippet({ ...base, publicUrl: 'http://wifi.example.com', fasLevel: 3 }), /needs an https publicUrl/);
    assert.throws(() => openndsConfigSnippet({ ...base, publicUrl: 'https://[2001:db8::1]', fasLevel: 2 }), /IPv4/);
    assert.throws(() => openndsConfigSnippet({ ...base, faskey: "it's", publicUrl: 'https://x.test', fasLevel: 2 }), /faskey/);
  });
});
