import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formOf } from '../helpers/portal.js';
import { INTERNET_BODY, INTERNET_IP, skipReason, startInternetHost, startOpenndsLab, type InternetHost, type OpenndsLab } from './support/opennds-lab.js';
import { createPortalHost, PORTAL_FQDN, type PortalHost } from './support/portal-host.js';

/**
 * The whole sign-in against the real openNDS 9.10 gateway (Debian package)
 * in network namespaces: a client asks for an http page, is sent through
 * openNDS to the portal, verifies a phone, consents, and reaches the
 * "internet"; deauthenticated, it comes back and gets online without a code.
 */
const reason = skipReason();
const required = process.env.PASSBY_E2E_REQUIRED === '1';
const PHONE = '+447400123777';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const level of [1, 3] as const) {
  describe(`portal behind the real openNDS, FAS level ${level}`, { skip: !required && reason ? reason : false }, () => {
    let host: PortalHost;
    let lab: OpenndsLab;
    let internet: InternetHost;
    let tls: string[] = [];
    const stops: (() => Promise<void> | void)[] = [];

    before(async () => {
      if (reason) throw new Error(`CI must run the openNDS end-to-end test: ${reason}`);
      host = await createPortalHost(level);
      stops.push(() => host.close());
      lab = await startOpenndsLab({
        fasLevel: level,
        fasPort: host.port,
        fasPath: `/portal/opennds/${host.gatewayId}`,
        faskey: host.faskey,
        ...(level === 3
          ? {
              fasRemoteFqdn: PORTAL_FQDN,
              hosts: { [PORTAL_FQDN]: INTERNET_IP },
              trustedCaPem: host.pki?.caCertPem ?? '',
              // authmon.sh reads its poll interval with awk from this file (any line), but openNDS's own
              // parser rejects the option on Debian: as a comment it is seen by authmon only. 10 s otherwise.
              extraConfig: ['# nat_traversal_poll_interval 1'],
            }
          : {}),
      });
      stops.push(() => lab.stop());
      await host.listen();
      internet = await startInternetHost();
      stops.push(() => internet.close());
      if (level === 3) {
        // authmon starts 5 s after openNDS with a `clear`, which drops anything queued before it.
        for (let i = 0; i < 60 && host.authmonPolls() < 2; i++) await sleep(250);
        assert.ok(host.authmonPolls() >= 2, `authmon never polled the portal${lab.logs().slice(-3000)}`);
      }
      if (host.pki) {
        const dir = mkdtempSync(join(tmpdir(), 'passby-ca-'));
        stops.push(() => rmSync(dir, { recursive: true, force: true }));
        writeFileSync(join(dir, 'ca.pem'), host.pki.caCertPem);
        tls = ['--cacert', join(dir, 'ca.pem')];
      }
    });

    after(async () => {
      // Only what `before` got to start, newest first.
      for (const stop of stops.reverse()) await stop();
    });

    const why = () => `\n--- openNDS ---\n${lab.logs().slice(-4000)}`;
    const post = (path: string, form: Record<string, string>) =>
      lab.curl([...tls, ...Object.entries(form).flatMap(([k, v]) => ['--data-urlencode', `${k}=${v}`]), `${host.base}${path}`]);

    /** From the portal's answer to the last form to the "internet": follow the gateway's redirect, or wait for authmon. */
    async function goOnline(answer: { status: number; headers: Record<string, string> }, flowId: string) {
      assert.equal(answer.status, 303, why());
      if (level === 1) {
        const location = answer.headers.location ?? '';
        assert.match(location, new RegExp(`^http://${lab.gatewayLanIp.replace(/\./g, '\\.')}:2050/opennds_auth/\\?tok=[0-9a-f]{64}&redir=`), why());
        const landed = await lab.curl(['-L', location]);
        assert.equal(landed.body, INTERNET_BODY, `openNDS sent the client on to its page${why()}`);
        return;
      }
      for (let i = 0; i < 40; i++) {
        const page = await lab.curl([...tls, `${host.base}/portal/f/${flowId}`]);
        if (page.status === 303) {
          assert.equal(page.headers.location, `http://${INTERNET_IP}/`);
          return;
        }
        assert.match(page.body, /Connecting|online/, why());
        await sleep(500);
      }
      assert.fail(`authmon never picked the authorisation up${why()}`);
    }

    it('signs a new device in with phone, code and consent, and lets it reach the internet', async () => {
      const before = await lab.curl(['-L', ...tls, `http://${INTERNET_IP}/`]);
      assert.notEqual(before.body, INTERNET_BODY, 'openNDS intercepts the unauthenticated client');
      assert.match(before.effectiveUrl, new RegExp(`/portal/opennds/${host.gatewayId}\\?fas=`), why());
      assert.match(before.body, /name="phone"/);
      const { flowId, csrf } = formOf(before.body);

      assert.equal((await post(`/portal/f/${flowId}/phone`, { _csrf: csrf, phone: PHONE })).status, 303, why());
      const code = host.ctx.twilio.codes.get(PHONE) ?? '';
      assert.equal((await post(`/portal/f/${flowId}/code`, { _csrf: csrf, code })).status, 303);
      await goOnline(await post(`/portal/f/${flowId}/consent`, { _csrf: csrf, terms: 'yes', smsMarketing: 'yes' }), flowId);

      assert.equal(await lab.clientState(), 'Authenticated', why());
      const direct = await lab.curl([`http://${INTERNET_IP}/`]);
      assert.equal(direct.body, INTERNET_BODY);
      const { rows } = await host.ctx.database.pool.query<{ method: string }>('SELECT method FROM portal_logins');
      assert.deepEqual(rows.map((r) => r.method), ['sms_code']);
    });

    it('lets the device back on without a code after it was deauthenticated', async () => {
      await lab.deauth();
      for (let i = 0; i < 20 && (await lab.clientState()) === 'Authenticated'; i++) await sleep(250);
      const sms = host.ctx.twilio.requests.length;
      const back = await lab.curl(['-L', ...tls, `http://${INTERNET_IP}/`]);
      assert.match(back.body, /Welcome back, \+44/, why());
      const { flowId, csrf } = formOf(back.body);
      await goOnline(await post(`/portal/f/${flowId}/connect`, { _csrf: csrf }), flowId);
      assert.equal(await lab.clientState(), 'Authenticated', why());
      assert.equal(host.ctx.twilio.requests.length, sms, 'no SMS for a returning device');
      const { rows } = await host.ctx.database.pool.query<{ method: string }>('SELECT method FROM portal_logins ORDER BY logged_in_at');
      assert.deepEqual(rows.map((r) => r.method), ['sms_code', 'returning_device']);
    });
  });
}
