import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestContext } from '../helpers/context.js';
import type { TestOrg } from '../helpers/factories.js';
import { browserSkip, startAdminBrowser, type AdminBrowser } from './support/admin-browser.js';

const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** A door sensor with an hour of uneven traffic, a quiet window sensor last heard 20 minutes ago, and one never connected. */
async function seedSensors(ctx: TestContext, org: TestOrg): Promise<void> {
  const zone = await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Entrance' });
  const door = (await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, zoneId: zone.id, name: 'Door sensor' })).sensor;
  const window = (await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Window sensor' })).sensor;
  await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'Stockroom sensor' });
  const now = Date.now() / 1000;
  const probes = Array.from({ length: 58 }, (_, m) => m + 1).flatMap((m) =>
    Array.from({ length: 2 + Math.round(3 + 3 * Math.sin(m / 5)) }, (_, k) => ({ ts: now - m * 60 + 5, mac: `da:a1:19:00:${hex(m)}:${hex(k)}`, rssi: -60 - k })),
  );
  const outcome = await ctx.services.ingest.ingest(door, { id: 'browser-seed', digest: Buffer.alloc(32, 7), records: probes.map((probe, index) => ({ ok: true, probe, index })) });
  assert.equal(outcome.accepted, probes.length);
  await ctx.database.pool.query(`UPDATE sensors SET last_seen_at = now() - interval '20 minutes' WHERE id = $1`, [window.id]);
}

/**
 * Gateways and sensors set-up in headless Chromium: an owner adds an openNDS
 * and an Omada gateway through the form and copies their configuration, then
 * looks at the sensors' health and adds one; every page gets a screenshot and
 * the accessibility smoke check.
 */
describe('admin gateway and sensor set-up in headless Chromium', { skip: browserSkip }, () => {
  let admin: AdminBrowser | undefined;

  before(async () => {
    admin = await startAdminBrowser({ orgName: 'Devices Browser Co', seed: seedSensors });
  });
  after(async () => {
    await admin?.close();
  });

  it('adds an openNDS and an Omada gateway and copies the configuration to paste', async () => {
    assert.ok(admin);
    const { base } = admin;
    const page = await admin.newPage();
    try {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('link', { name: 'Gateways' }).click();
      await page.waitForURL(`${base}/admin/gateways`);

      await page.getByLabel('Name', { exact: true }).fill('Front door AP');
      await page.getByLabel('Venue').selectOption({ label: 'Devices Browser Co venue' });
      await page.getByLabel('Zone (optional)').selectOption({ label: 'Entrance' });
      assert.equal(await page.getByLabel('Controller URL').isVisible(), false, 'only the openNDS fields while openNDS is chosen');
      await page.getByLabel('FAS security level').selectOption('2');
      await page.getByRole('button', { name: 'Add gateway' }).click();
      await page.getByRole('heading', { name: 'Gateway Front door AP' }).waitFor();
      assert.match(await page.getByRole('status').first().innerText(), /Gateway added/);

      const conf = page.locator('pre#config-1');
      assert.match(await conf.innerText(), /^fas_secure_enabled 2$/m);
      const faskey = /^faskey (\S+)$/m.exec(await conf.innerText())?.[1];
      assert.ok(faskey && faskey.length === 32, 'the new faskey is on the page once');
      await page.getByRole('button', { name: 'Copy OpenWrt' }).click();
      await page.getByText('Copied').first().waitFor();
      const copied = await page.evaluate<string>('navigator.clipboard.readText()');
      assert.equal(copied, await page.locator('pre#config-2').innerText());
      assert.match(copied, new RegExp(`faskey='${faskey}'`));
      await admin.check(page, 'setup-gateway-opennds');

      // Later visits hide the key until "Show secret" is opened.
      await page.getByRole('link', { name: '← All gateways' }).click();
      await page.getByRole('link', { name: 'Front door AP' }).click();
      assert.match(await page.locator('pre#config-1').innerText(), /^faskey <hidden: open "Show secret" below>$/m);
      assert.equal(await page.getByText(faskey).first().isVisible(), false);
      await page.getByText('Show secret', { exact: true }).click();
      assert.equal(await page.locator('code.faskey').innerText(), faskey);

      await page.getByRole('link', { name: '← All gateways' }).click();
      await page.getByLabel('TP-Link Omada controller (5.0.15 or later)').check();
      assert.equal(await page.getByLabel('FAS security level').isVisible(), false, 'only the Omada fields while Omada is chosen');
      await page.getByLabel('Name', { exact: true }).fill('Omada hall');
      await page.getByLabel('Venue').selectOption({ label: 'Devices Browser Co venue' });
      await page.getByLabel('Controller URL').fill('https://omada.example:8043');
      await page.getByLabel('Site (optional)').fill('Default');
      await page.getByLabel('Hotspot operator user name').fill('passby-hotspot');
      await page.getByRole('button', { name: 'Add gateway' }).click();
      // The form is kept with the message next to the missing password.
      assert.equal(await page.locator('#operatorPassword-error').innerText(), 'the hotspot operator password is required');
      assert.equal(await page.getByLabel('Controller URL').inputValue(), 'https://omada.example:8043');
      await page.getByLabel('Hotspot operator password').fill('op-secret-42');
      await page.getByRole('button', { name: 'Add gateway' }).click();
      await page.getByRole('heading', { name: 'Gateway Omada hall' }).waitFor();
      assert.match(await page.locator('pre#portal-url').innerText(), new RegExp(`^${admin.ctx.config.publicUrl}/portal/omada/[0-9a-f-]{36}$`));
      assert.match(await page.locator('pre#operator').innerText(), /Operator Name: passby-hotspot\nPassword: op-secret-42/);
      await admin.check(page, 'setup-gateway-omada');

      await page.getByRole('link', { name: '← All gateways' }).click();
      assert.deepEqual(await page.locator('tr.gateway-row td:first-child').allInnerTexts(), ['Front door AP', 'Omada hall']);
      await admin.check(page, 'setup-gateways');
    } finally {
      await page.context().close();
    }
  });

  it("shows each sensor's health and last hour, and an added sensor's token once", async () => {
    assert.ok(admin);
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('link', { name: 'Sensors' }).click();
      await page.waitForURL(`${admin.base}/admin/sensors`);
      const door = page.locator('tr.sensor-row', { has: page.getByRole('rowheader', { name: 'Door sensor' }) });
      assert.equal(await door.getByRole('img', { name: 'Probes per minute, last hour: Door sensor' }).count(), 1);
      assert.equal(await door.locator('.sd-badge').innerText(), 'Online');
      assert.match(await door.locator('.sd-numbers').innerText(), /^Peak \d+\/min\nThis minute 0\n\d+ in the hour$/);
      const points = (await door.locator('polyline').getAttribute('points'))?.split(' ') ?? [];
      assert.equal(points.length, 60, 'one point per minute');
      assert.ok(new Set(points.map((p) => p.split(',')[1])).size > 3, 'the line follows the traffic');
      const window = page.locator('tr.sensor-row', { has: page.getByRole('rowheader', { name: 'Window sensor' }) });
      assert.match(await window.innerText(), /20 min ago\s+Stale/);
      const stockroom = page.locator('tr.sensor-row', { has: page.getByRole('rowheader', { name: 'Stockroom sensor' }) });
      assert.match(await stockroom.innerText(), /never\s+Never seen/);
      await admin.check(page, 'setup-sensors');

      await page.getByLabel('Name').fill('Till sensor');
      await page.getByLabel('Venue').selectOption({ label: 'Devices Browser Co venue' });
      await page.getByRole('button', { name: 'Add sensor' }).click();
      await page.getByRole('heading', { name: 'Till sensor added' }).waitFor();
      const token = await page.locator('pre#token').innerText();
      assert.match(token, /^pbs_/);
      assert.ok((await page.locator('pre#curl').innerText()).includes(`Bearer ${token}`));
      assert.match(await page.getByRole('status').first().innerText(), /it will not be shown again/);
      await admin.check(page, 'setup-sensor-created');

      await page.getByRole('link', { name: 'Done: back to the sensors' }).click();
      assert.match(await page.locator('tr.sensor-row', { has: page.getByRole('rowheader', { name: 'Till sensor' }) }).innerText(), /never\s+Never seen/);
      assert.equal(await page.getByText(token).count(), 0, 'the token is not shown again');
    } finally {
      await page.context().close();
    }
  });
});
