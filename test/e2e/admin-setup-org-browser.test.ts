import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rulesVersionKey } from '../../src/triggers/rules/rules-version.js';
import { browserSkip, LAPTOP, startAdminBrowser, type AdminBrowser } from './support/admin-browser.js';

/**
 * An owner sets up the organisation in headless Chromium: settings (portal
 * recognition window, SMS opt-out line), a new marketer with a generated
 * password, and an API key that is shown once and then revoked.
 */
describe('admin organisation set-up in headless Chromium', { skip: browserSkip }, () => {
  let admin: AdminBrowser | undefined;

  before(async () => {
    admin = await startAdminBrowser({ orgName: 'Setup Browser Bakery' });
  });

  after(async () => {
    if (!admin) return;
    // Saving the trigger settings bumps the organisation's rules version in the shared Redis.
    await admin.ctx.redis.del(rulesVersionKey(admin.ctx.config.queue.prefix, admin.org.orgId));
    await admin.close();
  });

  it('saves the recognition window and the opt-out line', async () => {
    assert.ok(admin);
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Settings' }).click();
      await page.waitForURL(/\/admin\/settings$/);
      await admin.check(page, 'setup-settings');

      await page.getByLabel('Recognition window (days)').fill('7');
      await page.getByRole('button', { name: 'Save portal settings' }).click();
      await page.waitForURL(/saved=portal/);
      await page.getByText('Portal settings saved.').waitFor();
      assert.equal(await page.getByLabel('Recognition window (days)').inputValue(), '7');

      await page.getByLabel('Opt-out line').fill('Reply STOP to end texts');
      await page.getByRole('button', { name: 'Save message settings' }).click();
      await page.waitForURL(/saved=messages/);
      await page.getByText('Marketing message settings saved.').waitFor();
      assert.equal(await page.getByLabel('Opt-out line').inputValue(), 'Reply STOP to end texts');
      assert.equal(await page.getByLabel('Recognition window (days)').inputValue(), '7', 'the other section kept its value');
    } finally {
      await page.context().close();
    }
  });

  it('adds a marketer, whose generated password is shown once', async () => {
    assert.ok(admin);
    const page = await admin.newPage(LAPTOP);
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.goto(`${admin.base}/admin/staff`);
      await admin.check(page, 'setup-staff');

      await page.getByLabel('Email').fill('mia@setup-browser-bakery.example');
      await page.getByLabel('Name').fill('Mia Marketer');
      await page.getByLabel('Role', { exact: true }).selectOption('marketer');
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('heading', { name: 'Staff user added' }).waitFor();
      await page.getByText('it will not be shown again').waitFor();
      const password = (await page.locator('#generated-password').textContent())?.trim() ?? '';
      assert.ok(password.length >= 12, 'a generated password is shown');
      await admin.check(page, 'setup-staff-created');

      await page.getByRole('link', { name: 'Done: back to staff users' }).click();
      const row = page.locator('tr.staff-row', { hasText: 'mia@setup-browser-bakery.example' });
      assert.match((await row.textContent()) ?? '', /Mia Marketer[\s\S]*active/);
      assert.equal(await row.getByRole('combobox').inputValue(), 'marketer');
      assert.equal(await page.getByText(password).count(), 0, 'the password is not shown again');
    } finally {
      await page.context().close();
    }
  });

  it('creates an API key, shows it once, and revokes it', async () => {
    assert.ok(admin);
    const { base } = admin;
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'API keys' }).click();
      await page.waitForURL(/\/admin\/api-keys$/);
      await admin.check(page, 'setup-api-keys');

      await page.getByLabel('Name').fill('Loyalty export');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('heading', { name: 'API key created' }).waitFor();
      const token = (await page.locator('#api-key-token').textContent())?.trim() ?? '';
      assert.match(token, /^pbk_/);
      await page.getByText('it will not be shown again').waitFor();
      await admin.check(page, 'setup-api-key-created');
      const call = () => fetch(`${base}/api/v1/organisation`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal((await call()).status, 200);

      await page.getByRole('link', { name: 'Done: back to API keys' }).click();
      const row = page.locator('tr.api-key-row', { hasText: 'Loyalty export' });
      await row.getByRole('link', { name: 'Revoke Loyalty export' }).click();
      await page.getByRole('heading', { name: 'Revoke API key "Loyalty export"?' }).waitFor();
      await admin.check(page, 'setup-api-key-revoke');
      await page.getByRole('button', { name: 'Revoke this key' }).click();
      await page.waitForURL(/saved=revoked/);
      await page.getByText('The key was revoked').waitFor();
      assert.match((await row.textContent()) ?? '', /revoked/);
      assert.equal(await page.getByText(token).count(), 0, 'the key is not shown again');
      assert.equal((await call()).status, 401, 'the revoked key is refused at once');
    } finally {
      await page.context().close();
    }
  });
});
