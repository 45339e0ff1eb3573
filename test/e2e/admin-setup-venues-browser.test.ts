import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, startAdminBrowser, type AdminBrowser } from './support/admin-browser.js';

const BUTTON_COLOUR = `(() => { const b = document.querySelector('main form button'); return b ? getComputedStyle(b).backgroundColor : ''; })()`;

/** The preview's sign-in button colour, polled: the page's script reloads the iframe a moment after typing. */
async function previewButtonColour(page: Page, expected: string): Promise<string> {
  let colour = '';
  for (let i = 0; i < 50 && colour !== expected; i++) {
    // While the iframe navigates its document is briefly gone: try again.
    colour = (await page.frame({ name: 'portal-preview' })?.evaluate<string>(BUTTON_COLOUR).catch(() => '')) ?? '';
    if (colour !== expected) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return colour;
}

/**
 * An owner sets up a venue in headless Chromium: creates it through the form
 * (opening hours, one mistake first), adds a zone, changes the portal's primary
 * colour and watches the live preview follow, saves, and finds the venue on
 * the home page.
 */
describe('admin venue set-up in headless Chromium', { skip: browserSkip }, () => {
  let admin: AdminBrowser | undefined;

  before(async () => {
    admin = await startAdminBrowser({ orgName: 'Setup Venues Roastery' });
  });

  after(async () => {
    await admin?.close();
  });

  it('creates a venue with opening hours, adds a zone, previews and saves the portal colour', async () => {
    assert.ok(admin);
    const { base } = admin;
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('link', { name: 'New venue' }).click();
      await page.waitForURL(`${base}/admin/venues/new`);
      await page.getByLabel('Name', { exact: true }).fill('Harbour Café');
      await page.getByLabel('Time zone').selectOption('Europe/Paris');
      await page.getByLabel('Address').fill('1 Quai des Brumes');
      await page.getByLabel('Monday').fill('09:00-14:30, 17:00-22:00');
      await page.getByLabel('Saturday').fill('10 till late');
      await page.getByRole('button', { name: 'Create venue' }).click();
      await page.getByText('“10 till late” is not an interval').waitFor();
      assert.equal(await page.getByLabel('Monday').inputValue(), '09:00-14:30, 17:00-22:00', 'the input is kept');
      await admin.check(page, 'setup-venue-new');

      await page.getByLabel('Saturday').fill('10:00-23:00');
      await page.getByRole('button', { name: 'Create venue' }).click();
      await page.waitForURL(/\/settings\?done=created$/);
      await page.getByText('The venue was created.').waitFor();
      assert.equal(await page.getByLabel('Saturday').inputValue(), '10:00-23:00');
      await admin.check(page, 'setup-venue-settings');

      await page.getByRole('navigation', { name: 'Venue set-up' }).getByRole('link', { name: 'Zones' }).click();
      await page.getByLabel('Zone name').fill('Terrace');
      await page.getByRole('button', { name: 'Add zone' }).click();
      await page.waitForURL(/\/zones\?done=added$/);
      assert.equal(await page.getByRole('rowheader', { name: 'Terrace' }).count(), 1);
      await admin.check(page, 'setup-venue-zones');

      await page.getByRole('navigation', { name: 'Venue set-up' }).getByRole('link', { name: 'Portal' }).click();
      await page.waitForURL(/\/portal$/);
      assert.equal(await page.frameLocator('iframe[title="Portal preview"]').getByLabel('Mobile number').count(), 1, 'the real phone-number page');
      assert.equal(await previewButtonColour(page, 'rgb(10, 125, 90)'), 'rgb(10, 125, 90)', 'the preview starts with the saved colour');
      await page.getByLabel('Primary colour', { exact: true }).fill('#c2185b');
      assert.equal(await previewButtonColour(page, 'rgb(194, 24, 91)'), 'rgb(194, 24, 91)', 'the preview follows the draft colour');
      assert.equal(await page.getByLabel('Primary colour: colour picker').inputValue(), '#c2185b', 'the colour picker follows the text field');
      assert.ok(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), 'no sideways scrolling at tablet size');
      await admin.check(page, 'setup-venue-portal');

      await page.getByRole('button', { name: 'Save portal settings' }).click();
      await page.waitForURL(/\/portal\?done=saved$/);
      assert.equal(await page.getByLabel('Primary colour', { exact: true }).inputValue(), '#c2185b');
      assert.equal(await previewButtonColour(page, 'rgb(194, 24, 91)'), 'rgb(194, 24, 91)', 'the saved colour shows after reload');

      await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Venues' }).click();
      await page.waitForURL(`${base}/admin`);
      assert.equal(await page.getByRole('link', { name: 'Settings for Harbour Café' }).count(), 1);
      assert.equal(await page.getByRole('link', { name: 'Dashboard for Harbour Café' }).count(), 1);
    } finally {
      await page.context().close();
    }
  });
});
