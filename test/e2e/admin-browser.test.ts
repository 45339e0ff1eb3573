import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedDemoFootfall } from '../../src/analytics/demo-footfall.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { newOrg } from '../helpers/factories.js';

/**
 * The admin app in Debian's headless Chromium at a tablet size: sign in
 * through the form, then every admin page gets a full-page screenshot in
 * test-output/admin/ and an accessibility smoke check (labels, chart titles,
 * keyboard reachability).
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-output', 'admin');
const required = process.env.PASSBY_E2E_REQUIRED === '1';
const reason = existsSync(CHROMIUM) ? undefined : 'Debian chromium is not installed (apt-get install chromium)';
const EMAIL = 'owner@admin-e2e.example';
const PASSWORD = 'a-long-enough-password';
const NAV = ['/admin', '/admin/rules', '/admin/deliveries', '/admin/visitors'];

/**
 * Browser-side checks, as source text: the project compiles without the DOM
 * library, and tsx would wrap named helpers in a __name() the page lacks.
 * Lists form fields without an accessible name, and svg/img without a title or label.
 */
const UNLABELLED = `(() => {
  const fields = [...document.querySelectorAll('input, select, textarea')].filter((el) => {
    if (el instanceof HTMLInputElement && el.type === 'hidden') return false;
    const byFor = el.id !== '' && document.querySelector('label[for="' + CSS.escape(el.id) + '"]') !== null;
    return !byFor && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && el.closest('label') === null;
  });
  const images = [...document.querySelectorAll('svg, img')].filter((el) => {
    if (el.getAttribute('aria-hidden') === 'true' || (el.parentElement && el.parentElement.closest('svg'))) return false;
    if (el instanceof HTMLImageElement) return el.getAttribute('alt') === null && !el.getAttribute('aria-label');
    const title = el.querySelector(':scope > title');
    return !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(title && title.textContent.trim());
  });
  return { fields: fields.map((el) => el.outerHTML.slice(0, 120)), images: images.map((el) => el.outerHTML.slice(0, 120)) };
})()`;

/** Marks the main form's submit button; true when there is one. */
const MARK_SUBMIT = `(() => {
  const button = document.querySelector('main form button[type="submit"], main form button:not([type]), main form input[type="submit"]');
  if (button) button.setAttribute('data-e2e-submit', '');
  return button !== null;
})()`;
const FOCUSABLE_COUNT = `document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]').length`;
/** What has focus: the marked submit button, a nav link's href, or '' for anything else. */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el) return '';
  if (el.hasAttribute('data-e2e-submit')) return 'main form submit';
  return el.closest('nav') ? el.getAttribute('href') || '' : '';
})()`;

async function unlabelled(page: Page): Promise<{ fields: string[]; images: string[] }> {
  return page.evaluate<{ fields: string[]; images: string[] }>(UNLABELLED);
}

/** Presses Tab until the nav links and the main form's submit button have had focus (or it gives up). */
async function tabReaches(page: Page): Promise<{ missing: string[] }> {
  const hasSubmit = await page.evaluate<boolean>(MARK_SUBMIT);
  const wanted = new Set([...NAV, ...(hasSubmit ? ['main form submit'] : [])]);
  const limit = Math.min((await page.evaluate<number>(FOCUSABLE_COUNT)) + 10, 300);
  await page.locator('body').focus();
  for (let i = 0; i < limit && wanted.size > 0; i++) {
    await page.keyboard.press('Tab');
    wanted.delete(await page.evaluate<string>(FOCUSED));
  }
  return { missing: [...wanted] };
}

describe('admin app in headless Chromium at tablet size', { skip: !required && reason ? reason : false }, () => {
  let ctx: TestContext | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let base = '';

  before(async () => {
    if (reason) throw new Error(`CI must run the browser end-to-end test: ${reason}`);
    ctx = await createTestContext();
    const org = await newOrg(ctx.services, 'Browser Café Group');
    await ctx.services.organisations.createUser(org.orgId, { email: EMAIL, role: 'owner', password: PASSWORD });
    const { sensor } = await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Door (simulated)' });
    const seeded = await seedDemoFootfall({ ingest: ctx.services.ingest, sensor, now: new Date() });
    assert.ok(seeded.probes > 0, 'the simulator produced probes');
    await ctx.services.rollup.rollupAll();
    const listening = createServer(ctx.app);
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((listening.address() as AddressInfo).port)}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    const listening = server;
    if (listening) await new Promise<void>((resolve) => listening.close(() => resolve()));
    await ctx?.close();
  });

  it('signs in, shows the dashboard with data, and every admin page passes the accessibility smoke check', async () => {
    assert.ok(browser);
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-GB' });
    const page = await context.newPage();
    const check = async (name: string): Promise<void> => {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      assert.ok(statSync(join(SHOTS, `${name}.png`)).size > 1000, `${name}.png was saved`);
      assert.deepEqual(await unlabelled(page), { fields: [], images: [] }, `${name}: every field and chart has an accessible name`);
      assert.deepEqual(await tabReaches(page), { missing: [] }, `${name}: Tab reaches the nav links and the main form's submit button`);
    };
    try {
      await page.goto(`${base}/admin`);
      await page.getByLabel('Email').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.screenshot({ path: join(SHOTS, 'login.png'), fullPage: true });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/admin`);
      await check('home');

      await page.getByRole('link', { name: 'Dashboard for Browser Café Group venue' }).click();
      await page.waitForURL(/\/dashboard$/);
      assert.equal(await page.getByRole('img', { name: 'Footfall over time: visitors and passers-by' }).count(), 1);
      const footfall = Number(await page.locator('dt:text-is("Footfall") + dd').textContent());
      assert.ok(footfall > 0, `the simulated footfall shows on the dashboard (got ${String(footfall)})`);
      await check('dashboard');

      // The period picker is a plain GET form: it works without any script.
      await page.getByLabel('Period', { exact: true }).selectOption('7d');
      await page.getByLabel('Interval', { exact: true }).selectOption('1d');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/period=7d&interval=1d/);
      await check('dashboard-7-days');

      for (const path of NAV.slice(1)) {
        const response = await page.goto(`${base}${path}`);
        const status = response?.status() ?? 0;
        const name = path.slice('/admin/'.length);
        assert.ok(status === 200 || status === 404, `${path} answered ${String(status)}`);
        if (status === 200) await check(name);
        else await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      }
    } finally {
      await context.close();
    }
  });
});
