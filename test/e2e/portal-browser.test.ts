import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { INTERNET_BODY, INTERNET_IP, skipReason, startInternetHost, startOpenndsLab, type OpenndsLab } from './support/opennds-lab.js';
import { createPortalHost, type PortalHost } from './support/portal-host.js';

/**
 * The sign-in in a real browser on a phone-sized screen, with JavaScript off
 * (captive-network assistants often have it limited): Debian's Chromium,
 * driven by playwright-core, runs inside the lab's client namespace behind
 * the real openNDS (FAS level 1). Screenshots go to test-output/.
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-output', 'portal');
const required = process.env.PASSBY_E2E_REQUIRED === '1';
const reason = skipReason() ?? (existsSync(CHROMIUM) ? undefined : 'Debian chromium is not installed (apt-get install chromium)');
const PHONE = '+447400123888';

describe('portal in headless Chromium behind the real openNDS', { skip: !required && reason ? reason : false }, () => {
  const stops: (() => Promise<void> | void)[] = [];
  let host: PortalHost;
  let lab: OpenndsLab;
  let browser: Browser;

  before(async () => {
    if (reason) throw new Error(`CI must run the browser end-to-end test: ${reason}`);
    host = await createPortalHost(1);
    stops.push(() => host.close());
    lab = await startOpenndsLab({ fasLevel: 1, fasPort: host.port, fasPath: `/portal/opennds/${host.gatewayId}`, faskey: host.faskey });
    stops.push(() => lab.stop());
    await host.listen();
    const internet = await startInternetHost();
    stops.push(() => internet.close());
    // Playwright talks to Chromium over a pipe, so the browser can live in the client's network namespace.
    const dir = mkdtempSync(join(tmpdir(), 'passby-chromium-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const wrapper = join(dir, 'chromium-in-netns');
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.namespaces.client} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
    browser = await chromium.launch({
      executablePath: wrapper,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    stops.push(() => browser.close());
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('signs in on a phone-sized screen without JavaScript and reaches the internet', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      javaScriptEnabled: false,
      locale: 'en-GB',
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 CaptiveNetworkSupport',
    });
    const page = await context.newPage();
    try {
      await page.goto(`http://${INTERNET_IP}/`);
      await page.getByLabel('Mobile number').fill(PHONE);
      await page.screenshot({ path: join(SHOTS, '1-phone.png') });
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Code from the SMS').fill(host.ctx.twilio.codes.get(PHONE) ?? '');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.getByLabel(/I accept the terms/).check();
      assert.equal(await page.getByLabel(/offers .* by SMS/).isChecked(), false, 'optional consents start unticked');
      await page.screenshot({ path: join(SHOTS, '2-consent.png') });
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.waitForURL(`http://${INTERNET_IP}/`);
      assert.equal(await page.content().then((html) => html.includes(INTERNET_BODY)), true, `ended on ${page.url()}\n${lab.logs().slice(-3000)}`);
      await page.screenshot({ path: join(SHOTS, '3-online.png') });
      assert.equal(await lab.clientState(), 'Authenticated');
      for (const shot of ['1-phone.png', '2-consent.png', '3-online.png']) assert.ok(statSync(join(SHOTS, shot)).size > 1000, `${shot} was saved`);
    } finally {
      await context.close();
    }
  });
});
