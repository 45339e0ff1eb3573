import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { IngestSensor } from '../../src/analytics/ingest/index.js';
import { simulateProbeBatches } from '../../src/analytics/simulator/index.js';
import type { TestContext } from '../helpers/context.js';
import type { TestOrg } from '../helpers/factories.js';
import { browserSkip, LAPTOP, startAdminBrowser, type AdminBrowser } from './support/admin-browser.js';

const HOUR = 3600;
const SIM_HOURS = 3;
/** A Thursday late morning in the simulated mall: shoppers whatever time the test runs, shifted to end now. */
const SIM_START = Date.parse('2025-03-13T10:00:00Z') / 1000;
const TIME_ZONE = 'Europe/London';

/**
 * The simulated mall through the real ingest path: two of its shops' door
 * sensors are two zones of the first venue (so devices walking between them
 * make routes), two others are a second venue (so the venues share visitors).
 */
async function seedMall(ctx: TestContext, org: TestOrg): Promise<void> {
  const { services } = ctx;
  const second = await services.venues.create(org.orgId, { name: 'Riverside arcade', timezone: TIME_ZONE });
  const fashion = await services.venues.createZone(org.orgId, org.venueId, { name: 'Fashion' });
  const food = await services.venues.createZone(org.orgId, org.venueId, { name: 'Food court' });
  const sensor = async (venueId: string, name: string, zoneId?: string): Promise<IngestSensor> =>
    (await services.sensors.create(org.orgId, { venueId, name, ...(zoneId ? { zoneId } : {}) })).sensor;
  const targets = new Map<string, IngestSensor>([
    ['fashion-door', await sensor(org.venueId, 'Fashion door', fashion.id)],
    ['food-court', await sensor(org.venueId, 'Food court', food.id)],
    ['electronics-door', await sensor(second.id, 'Arcade east')],
    ['department-store-door', await sensor(second.id, 'Arcade west')],
  ]);
  const shift = Math.floor(Date.now() / 1000) - SIM_HOURS * HOUR - SIM_START;
  let accepted = 0;
  for (const batch of simulateProbeBatches({ scenario: 'mall', start: SIM_START, hours: SIM_HOURS, seed: 3, scale: 0.4, ies: false })) {
    for (const [simulated, target] of targets) {
      const probes = batch.filter((p) => p.sensor === simulated).map(({ sensor: _sensor, ...probe }) => ({ ...probe, ts: probe.ts + shift }));
      if (probes.length === 0) continue;
      const digest = createHash('sha256').update(`${target.id}:${String(probes[0]?.ts)}:${String(probes.length)}`).digest();
      const records = probes.map((probe, index) => ({ ok: true as const, probe, index }));
      accepted += (await services.ingest.ingest(target, { id: `mall-${digest.toString('hex').slice(0, 32)}`, digest, records })).accepted;
    }
  }
  assert.ok(accepted > 0, 'the simulator produced probes');
  await services.rollup.rollupAll();
}

/** Local "YYYY-MM-DD HH:MM", as staff write times in the counts CSV. */
const local = (epochSeconds: number): string => new Date(epochSeconds * 1000).toLocaleString('sv-SE', { timeZone: TIME_ZONE, hour12: false }).slice(0, 16);

/** Six quarter-hours of door counts from the middle of the simulated stretch. */
function countsFile(): string {
  const first = Math.floor((Date.now() / 1000 - 2.5 * HOUR) / 900) * 900;
  const counts = [34, 41, 38, 52, 47, 44];
  return ['start,end,count', ...counts.map((c, i) => `${local(first + i * 900)},${local(first + (i + 1) * 900)},${String(c)}`)].join('\n') + '\n';
}

describe('admin analytics pages in headless Chromium', { skip: browserSkip }, () => {
  let admin: AdminBrowser | undefined;

  before(async () => {
    admin = await startAdminBrowser({
      orgName: 'Mall Analytics Ltd',
      seed: async (ctx, org) => {
        await seedMall(ctx, org);
      },
    });
  });

  after(async () => {
    await admin?.close();
  });

  it('shows the full dashboard with occupancy, frequency and routes, and narrows it to a zone', async () => {
    assert.ok(admin);
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.analyst);
      await page.getByRole('link', { name: 'Dashboard for Mall Analytics Ltd venue' }).click();
      await page.waitForURL(/\/dashboard$/);
      for (const chart of ['Occupancy over time: visitors present', 'Visit frequency: days between visits (returns)', 'Routes between zones: moves from one zone to the next']) {
        assert.equal(await page.getByRole('img', { name: chart }).count(), 1, chart);
      }
      const footfall = Number(await page.locator('dt:text-is("Footfall") + dd').textContent());
      assert.ok(footfall > 0, `the simulated footfall shows (got ${String(footfall)})`);
      const moves = await page.locator('tr.route-row td:nth-child(3)').allTextContents();
      assert.ok(moves.length > 0 && moves.every((m) => Number(m) > 0), `shoppers walked between the two zones: ${moves.join(', ')}`);
      await page.getByRole('link', { name: 'Routes', exact: true }).click();
      await page.waitForURL(/#routes-heading$/);
      await page.getByText('Occupancy data table').click();
      assert.ok(await page.locator('details:has(summary:text("Occupancy data table")) tbody tr').first().isVisible());
      await admin.check(page, 'analytics-dashboard-full');

      await page.getByLabel('Zone', { exact: true }).selectOption({ label: 'Food court' });
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/zone=/);
      assert.equal(await page.getByRole('heading', { name: 'Totals: Food court' }).count(), 1);
      await admin.check(page, 'analytics-dashboard-zone');
    } finally {
      await page.context().close();
    }
  });

  it('shows the overlap of the two venues from the navigation, at laptop size', async () => {
    assert.ok(admin);
    const page = await admin.newPage(LAPTOP);
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.locator('nav.admin-nav').getByRole('link', { name: 'Intersections' }).click();
      await page.waitForURL(/\/admin\/intersections$/);
      await page.getByLabel('Period', { exact: true }).selectOption('24h');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/period=24h/);
      assert.equal(await page.getByRole('img', { name: /^Visitor overlap between venues/ }).count(), 1);
      const shared = await page.locator('tr.overlap-row').filter({ hasText: 'Riverside arcade' }).locator('td').nth(1).textContent();
      assert.match(shared ?? '', /^[1-9]\d* \(\d+\.\d%\)$/, `the venues share visitors: ${String(shared)}`);
      await admin.check(page, 'analytics-intersections');
    } finally {
      await page.context().close();
    }
  });

  it('uploads manual counts from a file and shows the fitted factor and the error per stage', async () => {
    assert.ok(admin);
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.analyst);
      await page.getByRole('link', { name: 'Dashboard for Mall Analytics Ltd venue' }).click();
      await page.getByRole('link', { name: 'Calibrate with manual counts' }).click();
      await page.waitForURL(/\/calibration$/);
      await page.getByLabel('What was counted').selectOption('footfall');
      await page.getByLabel('Or read the counts from a CSV file').setInputFiles({ name: 'door-counts.csv', mimeType: 'text/csv', buffer: Buffer.from(countsFile()) });
      await page.getByText('Read 7 lines from door-counts.csv').waitFor();
      assert.match(await page.getByLabel('Manual counts (CSV)').inputValue(), /^start,end,count\n/);
      await page.getByRole('button', { name: 'Upload and fit' }).click();
      await page.waitForURL(/uploaded=footfall/);
      assert.match((await page.getByRole('status').first().textContent()) ?? '', /footfall counts were uploaded and fitted/);
      assert.match((await page.locator('#footfall-result dd.fit').textContent()) ?? '', /^(Factor × \d|Linear: \d)/);
      assert.deepEqual(await page.locator('#footfall-result tr.stage-row th').allTextContents(), ['Raw estimate', 'Calibrated']);
      assert.equal(await page.getByRole('img', { name: 'Footfall: error before and after calibration (MAPE, %)' }).count(), 1);
      await admin.check(page, 'analytics-calibration');
    } finally {
      await page.context().close();
    }
  });
});
