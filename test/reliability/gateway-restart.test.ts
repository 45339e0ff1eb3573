import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formOf } from '../helpers/portal.js';
import { INTERNET_BODY, INTERNET_IP, skipReason, startInternetHost, startOpenndsLab, type InternetHost, type OpenndsLab } from '../e2e/support/opennds-lab.js';
import { restartOpennds } from '../e2e/support/opennds-restart.js';
import { createPortalHost, type PortalHost } from '../e2e/support/portal-host.js';

/**
 * The real openNDS gateway (FAS level 1) restarts, as after a router reboot or a crash: it forgets every
 * authenticated client, so a device that was online is intercepted again. Passby still knows the device:
 * it goes back through the portal and is let online with "welcome back", without a new SMS code.
 */
const reason = skipReason();
const required = process.env.PASSBY_E2E_REQUIRED === '1';
const PHONE = '+447400123888';

describe('a returning device after the openNDS gateway restarted', { skip: !required && reason ? reason : false }, () => {
  let host: PortalHost;
  let lab: OpenndsLab;
  let internet: InternetHost;
  let smsBeforeRestart = -1;
  const stops: (() => Promise<void>)[] = [];

  before(async () => {
    if (reason) throw new Error(`CI must run the openNDS gateway restart test: ${reason}`);
    host = await createPortalHost(1);
    stops.push(() => host.close());
    lab = await startOpenndsLab({ fasLevel: 1, fasPort: host.port, fasPath: `/portal/opennds/${host.gatewayId}`, faskey: host.faskey });
    stops.push(() => lab.stop());
    await host.listen();
    internet = await startInternetHost();
    stops.push(() => internet.close());
  });

  after(async () => {
    // Only what `before` got to start, newest first: the lab always goes (namespaces, openNDS, lock).
    for (const stop of stops.reverse()) await stop();
  });

  const why = () => `\n--- openNDS ---\n${lab.logs().slice(-4000)}`;
  const post = (path: string, form: Record<string, string>) =>
    lab.curl([...Object.entries(form).flatMap(([k, v]) => ['--data-urlencode', `${k}=${v}`]), `${host.base}${path}`]);
  const escape = (text: string) => text.replace(/[.?]/g, '\\$&');

  /** Level 1: the portal sends the client to openNDS's auth URL, which lets it on and forwards it to its page. */
  async function followToInternet(answer: { status: number; headers: Record<string, string> }) {
    assert.equal(answer.status, 303, why());
    const location = answer.headers.location ?? '';
    assert.match(location, new RegExp(`^http://${escape(lab.gatewayLanIp)}:2050/opennds_auth/\\?tok=[0-9a-f]{64}&redir=`), why());
    const landed = await lab.curl(['-L', location]);
    assert.equal(landed.body, INTERNET_BODY, `openNDS let the client on${why()}`);
  }

  it('signs a new device in with an SMS code and lets it online', async () => {
    const landing = await lab.curl(['-L', `http://${INTERNET_IP}/`]);
    assert.match(landing.body, /name="phone"/, why());
    const { flowId, csrf } = formOf(landing.body);
    assert.equal((await post(`/portal/f/${flowId}/phone`, { _csrf: csrf, phone: PHONE })).status, 303, why());
    const code = host.ctx.twilio.codes.get(PHONE) ?? '';
    assert.equal((await post(`/portal/f/${flowId}/code`, { _csrf: csrf, code })).status, 303);
    await followToInternet(await post(`/portal/f/${flowId}/consent`, { _csrf: csrf, terms: 'yes' }));
    assert.equal(await lab.clientState(), 'Authenticated', why());
    smsBeforeRestart = host.ctx.twilio.requests.length;
    assert.ok(smsBeforeRestart > 0, 'the fake Twilio sent the code');
  });

  it('intercepts the device again once openNDS restarted and forgot its clients', async () => {
    assert.equal((await lab.curl([`http://${INTERNET_IP}/`])).body, INTERNET_BODY, 'online before the restart');
    await restartOpennds(lab);
    const intercepted = await lab.curl([`http://${INTERNET_IP}/`]);
    assert.ok(intercepted.status >= 300 && intercepted.status < 400, `got ${intercepted.status} instead of a redirect${why()}`);
    const portal = `${host.base}/portal/opennds/${host.gatewayId}?fas=`;
    assert.match(intercepted.headers.location ?? '', new RegExp(`^${escape(portal)}`), `sent to the portal${why()}`);
    assert.notEqual(await lab.clientState(), 'Authenticated', why());
  });

  it('lets the returning device back online through the portal without a new SMS code', async () => {
    const back = await lab.curl(['-L', `http://${INTERNET_IP}/`]);
    assert.match(back.body, /Welcome back, \+44/, why());
    const { flowId, csrf } = formOf(back.body);
    await followToInternet(await post(`/portal/f/${flowId}/connect`, { _csrf: csrf }));
    assert.equal(await lab.clientState(), 'Authenticated', why());
    assert.equal((await lab.curl([`http://${INTERNET_IP}/`])).body, INTERNET_BODY, 'online without the portal');
    assert.equal(host.ctx.twilio.requests.length, smsBeforeRestart, 'no SMS for the returning device');
    const { rows } = await host.ctx.database.pool.query<{ method: string }>('SELECT method FROM portal_logins ORDER BY logged_in_at');
    assert.deepEqual(rows.map((r) => r.method), ['sms_code', 'returning_device']);
  });
});
