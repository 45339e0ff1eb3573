import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { seedDemoFootfall } from '../../src/analytics/demo-footfall.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { newId } from '../../src/shared/ids.js';
import { bearer } from '../helpers/factories.js';
import { browserSkip, startAdminBrowser, type AdminBrowser } from './support/admin-browser.js';

/**
 * Sign-in, the home page and the venue dashboard over simulated street
 * traffic, in Debian's headless Chromium at tablet size; every page gets a
 * screenshot and the accessibility smoke check. Each admin area has its own
 * admin-*-browser test on the same support module.
 */
const VISITOR_PHONE = '+447400123456';

describe('admin app in headless Chromium: sign-in and dashboard', { skip: browserSkip }, () => {
  let admin: AdminBrowser | undefined;

  before(async () => {
    admin = await startAdminBrowser({
      orgName: 'Browser Café Group',
      seed: async (ctx, org) => {
        const { sensor } = await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Door (simulated)' });
        const seeded = await seedDemoFootfall({ ingest: ctx.services.ingest, sensor, now: new Date() });
        assert.ok(seeded.probes > 0, 'the simulator produced probes');
        await ctx.services.rollup.rollupAll();
        const visitor = await new VisitorRepository(ctx.database.pool).upsert({ id: newId(), orgId: org.orgId, phone: VISITOR_PHONE }, new Date());
        await request(ctx.app)
          .post(`/api/v1/visitors/${visitor.id}/consents`)
          .set(bearer(org.apiKey))
          .send({ purpose: 'sms_marketing', granted: true, textVersion: 'browser-test-1' })
          .expect(201);
      },
    });
  });

  after(async () => {
    await admin?.close();
  });

  it('signs in, shows the dashboard with data from the simulator, and the pages pass the accessibility smoke check', async () => {
    assert.ok(admin);
    const { base } = admin;
    const page = await admin.newPage();
    try {
      await page.goto(`${base}/admin`);
      await page.waitForURL(/\/login/);
      await admin.check(page, 'login');
      await admin.signIn(page, admin.emails.owner);
      await admin.check(page, 'home');

      await page.getByRole('link', { name: 'Dashboard for Browser Café Group venue' }).click();
      await page.waitForURL(/\/dashboard$/);
      assert.equal(await page.getByRole('img', { name: 'Footfall over time: visitors and passers-by' }).count(), 1);
      const footfall = Number(await page.locator('dt:text-is("Footfall") + dd').textContent());
      assert.ok(footfall > 0, `the simulated footfall shows on the dashboard (got ${String(footfall)})`);
      await admin.check(page, 'dashboard');

      // The period picker is a plain GET form: it works without any script.
      await page.getByLabel('Period', { exact: true }).selectOption('7d');
      await page.getByLabel('Interval', { exact: true }).selectOption('1d');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/period=7d&interval=1d/);
      await admin.check(page, 'dashboard-7-days');
    } finally {
      await page.context().close();
    }
  });

  it('looks a visitor up by phone and shows the delivery log and suppression list to a marketer', async () => {
    assert.ok(admin);
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.marketer);
      await page.getByRole('link', { name: 'Delivery log' }).click();
      await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
      await admin.check(page, 'deliveries');

      await page.getByRole('link', { name: 'Visitors' }).click();
      await admin.check(page, 'visitors');
      await page.getByLabel('Phone number').fill(VISITOR_PHONE);
      await page.getByRole('button', { name: 'Find' }).click();
      await page.getByRole('heading', { name: `Visitor ${VISITOR_PHONE}` }).waitFor();
      assert.ok((await page.getByText('browser-test-1').count()) > 0, 'the consent and its text version are listed');
      await admin.check(page, 'visitor');

      await page.getByRole('link', { name: 'Suppressions', exact: true }).click();
      await page.getByRole('heading', { name: 'SMS suppressions' }).waitFor();
      await admin.check(page, 'suppressions');
    } finally {
      await page.context().close();
    }
  });

  it('shows each role only the areas it may open', async () => {
    assert.ok(admin);
    const links = async (email: string): Promise<string[]> => {
      const page = await admin!.newPage();
      try {
        await admin!.signIn(page, email);
        return await page.locator('nav.admin-nav a').allTextContents();
      } finally {
        await page.context().close();
      }
    };
    const analyst = await links(admin.emails.analyst);
    assert.ok(analyst.includes('Intersections') && !analyst.includes('Rules') && !analyst.includes('Settings'), analyst.join(', '));
    const marketer = await links(admin.emails.marketer);
    assert.ok(marketer.includes('Rules') && marketer.includes('Visitors') && !marketer.includes('Queues'), marketer.join(', '));
    const owner = await links(admin.emails.owner);
    for (const name of ['Rules', 'Intersections', 'Settings', 'Queues', 'Errors']) assert.ok(owner.includes(name), `owner sees ${name}`);
  });
});
