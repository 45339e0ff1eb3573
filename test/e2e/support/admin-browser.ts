import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestContext, type TestContext } from '../../helpers/context.js';
import { newOrg, type TestOrg } from '../../helpers/factories.js';
import { A11Y_CHECKS, MARK_SUBMIT, type A11yReport } from './a11y-checks.js';

/**
 * The admin app in Debian's headless Chromium, shared by the admin browser
 * tests: a test context served on a real port, an organisation with one user
 * per role, sign-in through the form, and a `check` that saves a full-page
 * screenshot in test-output/admin/ and runs the accessibility smoke check
 * (labels, chart names, contrast, keyboard reachability).
 */
export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = join(process.cwd(), 'test-output', 'admin');
export const PASSWORD = 'a-long-enough-password';
const required = process.env.PASSBY_E2E_REQUIRED === '1';
const reason = existsSync(CHROMIUM) ? undefined : 'Debian chromium is not installed (apt-get install chromium)';
/** For `describe(..., { skip: browserSkip })`: skipped only when Chromium is missing and CI did not require it. */
export const browserSkip: string | false = !required && reason ? reason : false;

/** Sizes the admin app must work at: a tablet in landscape and a small laptop. */
export const TABLET = { width: 1024, height: 768 };
export const LAPTOP = { width: 1366, height: 768 };

export interface AdminBrowser {
  ctx: TestContext;
  org: TestOrg;
  base: string;
  /** One signed-up user per role, all with PASSWORD. */
  emails: { owner: string; marketer: string; analyst: string };
  /** A fresh browser context and page at the given size (tablet by default). */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Signs in through the login form and waits for /admin. */
  signIn(page: Page, email: string): Promise<void>;
  /** Screenshot `${name}.png` plus the accessibility smoke check; fails the test on any finding. */
  check(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * `env` overrides configuration (e.g. TRIGGERS_WEBHOOK_ALLOWED_NETWORKS).
 */
export async function startAdminBrowser(options: {
  orgName: string;
  env?: Record<string, string>;
  seed?: (ctx: TestContext, org: TestOrg) => Promise<void>;
}): Promise<AdminBrowser> {
  if (reason) throw new Error(`CI must run the browser end-to-end tests: ${reason}`);
  // The context has its own queue prefix, deleted on close.
  const ctx = await createTestContext({ env: options.env });
  const closeContext = () => ctx.close();
  let server: Server | undefined;
  let browser: Browser | undefined;
  try {
    const org = await newOrg(ctx.services, options.orgName);
    const domain = options.orgName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const emails = { owner: `owner@${domain}.example`, marketer: `marketer@${domain}.example`, analyst: `analyst@${domain}.example` };
    for (const role of ['owner', 'marketer', 'analyst'] as const) {
      await ctx.services.organisations.createUser(org.orgId, { email: emails[role], role, password: PASSWORD });
    }
    await options.seed?.(ctx, org);
    const listening = createServer(ctx.app);
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${String((listening.address() as AddressInfo).port)}`;
    const launched = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    browser = launched;
    mkdirSync(SHOTS, { recursive: true });
    return {
      ctx,
      org,
      base,
      emails,
      async newPage(viewport = TABLET) {
        const context = await launched.newContext({ viewport, locale: 'en-GB' });
        return context.newPage();
      },
      async signIn(page, email) {
        await page.goto(`${base}/login`);
        await page.getByLabel('Email').fill(email);
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${base}/admin`);
      },
      check: (page, name) => checkPage(page, name),
      async close() {
        await launched.close();
        await new Promise<void>((resolve) => listening.close(() => resolve()));
        await closeContext();
      },
    };
  } catch (error) {
    await browser?.close();
    const open = server;
    if (open) await new Promise<void>((resolve) => open.close(() => resolve()));
    await closeContext();
    throw error;
  }
}

const FOCUSABLE_COUNT = `document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]').length`;
const NAV_LINKS = `[...document.querySelectorAll('nav.admin-nav a[href]')].map((a) => a.getAttribute('href'))`;
/** What has focus: the marked submit button, a nav link's href, or '' for anything else. */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el) return '';
  if (el.hasAttribute('data-e2e-submit')) return 'main form submit';
  return el.closest('nav.admin-nav') ? el.getAttribute('href') || '' : '';
})()`;

/** Presses Tab until every nav link and the main form's submit button have had focus (or it gives up). */
async function tabReaches(page: Page): Promise<string[]> {
  const hasSubmit = await page.evaluate<boolean>(MARK_SUBMIT);
  const wanted = new Set([...(await page.evaluate<string[]>(NAV_LINKS)), ...(hasSubmit ? ['main form submit'] : [])]);
  const limit = Math.min((await page.evaluate<number>(FOCUSABLE_COUNT)) + 10, 400);
  await page.locator('body').focus();
  for (let i = 0; i < limit && wanted.size > 0; i++) {
    await page.keyboard.press('Tab');
    wanted.delete(await page.evaluate<string>(FOCUSED));
  }
  return [...wanted];
}

async function checkPage(page: Page, name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  assert.ok(statSync(path).size > 1000, `${name}.png was saved`);
  const report = await page.evaluate<A11yReport>(A11Y_CHECKS);
  assert.deepEqual(report.unlabelledFields, [], `${name}: every form field has a label`);
  assert.deepEqual(report.unnamedImages, [], `${name}: every chart and image has an accessible name`);
  assert.deepEqual(report.lowContrast, [], `${name}: text contrast is at least 4.5:1 (3:1 for large text)`);
  assert.deepEqual(await tabReaches(page), [], `${name}: Tab reaches every nav link and the main form's submit button`);
}
