import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../src/db/pool.js';
import { VisitorRepository } from '../../src/portal/visitor.repository.js';
import { newId } from '../../src/shared/ids.js';
import { recordDecisions, type DecisionRow } from '../../src/triggers/engine/decision.repository.js';
import type { NewDelivery } from '../../src/triggers/engine/delivery.repository.js';
import { rulesVersionKey } from '../../src/triggers/rules/rules-version.js';
import { browserSkip, startAdminBrowser, type AdminBrowser } from './support/admin-browser.js';

/**
 * A marketer builds a rule in the full editor in headless Chromium (an invalid
 * first attempt shows the messages next to the fields), tests it, edits it,
 * and reads its results once decisions have been recorded for it.
 */

const DAY = 86_400_000;

/**
 * A month of decisions for the rule as the engine records them: 48 visitors messaged (20 came back later), 32 in
 * the control group (8 came back), others suppressed for a handful of reasons, and the deliveries of the fired ones.
 */
async function seedMonth(db: Db, ids: { orgId: string; venueId: string; ruleId: string }): Promise<void> {
  const { orgId, venueId, ruleId } = ids;
  const visitors = new VisitorRepository(db);
  const people: string[] = [];
  for (let i = 0; i < 80; i++) people.push((await visitors.upsert({ id: newId(), orgId, phone: `+4477009${String(10_000 + i)}` }, new Date())).id);
  const decisions: DecisionRow[] = [];
  const deliveries: NewDelivery[] = [];
  const decide = (visitorId: string | null, i: number, outcome: 'fired' | 'suppressed', reason: DecisionRow['reason']) => {
    const at = new Date(Date.now() - (2 + (i % 25)) * DAY);
    const hold = outcome === 'fired' && i % 10 === 0;
    const row: DecisionRow = { id: newId(), orgId, ruleId, ruleVersion: 1, eventId: newId(), eventType: 'presence.dwell', venueId, zoneId: null, visitorId, outcome, reason, trace: [], actions: hold ? [{ index: 0, channel: 'sms', status: 'hold' }] : [], occurredAt: at, decidedAt: at };
    decisions.push(row);
    if (outcome !== 'fired') return;
    const smsStatus = hold ? 'held' : i % 16 === 1 ? 'failed' : 'delivered';
    deliveries.push({ id: newId(), orgId, decisionId: row.id, ruleId, visitorId, channel: 'sms', endpointId: null, status: smsStatus, payload: {}, notBefore: null });
    deliveries.push({ id: newId(), orgId, decisionId: row.id, ruleId, visitorId, channel: 'webhook', endpointId: null, status: 'delivered', payload: {}, notBefore: null });
  };
  people.slice(0, 48).forEach((v, i) => decide(v, i, 'fired', null));
  people.slice(48).forEach((v, i) => decide(v, i, 'suppressed', 'control_group'));
  const reasons = [...Array<string>(12).fill('cooldown'), ...Array<string>(9).fill('audience'), ...Array<string>(6).fill('no_consent'), ...Array<string>(3).fill('daily_cap'), 'quiet_hours', 'quiet_hours'];
  reasons.forEach((reason, i) => decide(people[i] ?? null, i, 'suppressed', reason));
  await recordDecisions(db, decisions, deliveries, new Date(Date.now() - 2 * DAY));
  // Came back: a visit counted a day after their decision.
  const returned = [...people.slice(0, 20), ...people.slice(48, 56)];
  for (const visitorId of returned) {
    const decided = decisions.find((d) => d.visitorId === visitorId)?.decidedAt ?? new Date();
    const at = new Date(decided.getTime() + DAY);
    await db.query(`INSERT INTO visitor_visit_stats (visitor_id, org_id, venue_id, visits, first_visit_at, last_visit_at, last_visit_key) VALUES ($1, $2, $3, 2, $4, $4, 'seed')`, [visitorId, orgId, venueId, at]);
  }
}

describe('admin triggers in headless Chromium: the rule editor, testing and results', { skip: browserSkip }, () => {
  let admin: AdminBrowser | undefined;

  before(async () => {
    admin = await startAdminBrowser({
      orgName: 'Triggers Browser Deli',
      seed: async (ctx, org) => {
        await ctx.triggers.webhooks.service.create(org.orgId, { url: 'https://crm.example.com/passby', description: 'Loyalty CRM' });
        await ctx.services.venues.createZone(org.orgId, org.venueId, { name: 'Terrace' });
        await ctx.triggers.rules.service.create(org.orgId, { name: 'Welcome on first visit', trigger: { type: 'visit.first' }, actions: [{ type: 'sms', template: 'Welcome to {{venue.name}}!' }] });
      },
    });
  });

  after(async () => {
    if (!admin) return;
    // Saving a rule bumps the organisation's rules version in the shared Redis.
    await admin.ctx.redis.del(rulesVersionKey(admin.ctx.config.queue.prefix, admin.org.orgId));
    await admin.close();
  });

  it('creates a rule (after a failed first try), tests it, edits it and opens its results', async () => {
    assert.ok(admin);
    const { base } = admin;
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.marketer);
      await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Rules' }).click();
      await page.waitForURL(/\/admin\/rules$/);
      await admin.check(page, 'triggers-rules');

      await page.getByRole('link', { name: 'Create a rule' }).click();
      await page.waitForURL(/\/admin\/rules\/new$/);
      for (const legend of ['Trigger', 'Where', 'Who', 'When', 'Limits', 'Actions']) assert.equal(await page.locator('fieldset.card > legend', { hasText: legend }).count(), 1, legend);
      await admin.check(page, 'triggers-rule-new');

      // First try: no name, a control group too large, an attribute condition without a value, half a window.
      await page.getByLabel('Control group (%)').fill('80');
      await page.getByLabel('Condition 1 attribute').fill('tier');
      await page.getByLabel('Condition 1 operator').selectOption('in');
      await page.getByLabel('Monday window 1 from').fill('08:00');
      await page.getByLabel('Message text').fill('Coffee time at {{venue.name}}?');
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page.getByRole('alert').filter({ hasText: 'The rule was not saved' }).waitFor();
      assert.equal(await page.locator('#name-error').textContent(), 'Required.');
      assert.equal(await page.locator('#controlPercent-error').textContent(), 'At most 50.');
      assert.equal(await page.locator('#cond-0-value-error').textContent(), 'This condition needs a value.');
      assert.match((await page.locator('#sched-mon-0-to-error').textContent()) ?? '', /HH:MM/);
      assert.equal(await page.getByLabel('Message text').inputValue(), 'Coffee time at {{venue.name}}?', 'the input is kept');
      await admin.check(page, 'triggers-rule-errors');

      await page.getByLabel('Name', { exact: true }).fill('Morning coffee for regulars');
      await page.getByLabel('When a visitor…').selectOption('presence.dwell');
      await page.getByLabel('Minutes stayed').fill('20');
      await page.getByRole('checkbox', { name: /^Triggers Browser Deli venue \(/ }).check();
      await page.getByLabel('Visits: at least').fill('2');
      await page.getByLabel('Condition 1 value').fill('gold, silver');
      await page.getByLabel('Monday window 1 to').fill('11:30');
      await page.getByLabel('Control group (%)').fill('40');
      await page.getByLabel('Call the webhook').check();
      await page.getByLabel('Loyalty CRM (https://crm.example.com/passby)').check();
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page.getByText('Rule created.').waitFor();
      const ruleId = /\/admin\/rules\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? '';
      const saved = await admin.ctx.triggers.rules.service.get(admin.org.orgId, ruleId);
      assert.deepEqual(saved.definition.audience.attributes, [{ key: 'tier', op: 'in', value: ['gold', 'silver'] }]);
      assert.deepEqual(saved.definition.schedule, [{ days: ['mon'], from: '08:00', to: '11:30' }]);
      assert.deepEqual(saved.definition.actions.map((a) => a.type), ['sms', 'webhook']);

      // Test it: a hypothetical visitor who stayed 20 minutes.
      await page.getByLabel('Event type').selectOption('presence.dwell');
      await page.getByLabel('Dwell minutes').fill('20');
      await page.getByRole('button', { name: 'Run test' }).click();
      await page.getByRole('heading', { name: /^Result:/ }).waitFor();
      assert.ok((await page.locator('tbody th[scope="row"]', { hasText: 'audience.visitCount' }).count()) === 1, 'the trace lists the audience conditions');
      await admin.check(page, 'triggers-rule');

      await page.getByRole('link', { name: 'Edit this rule' }).click();
      await page.waitForURL(/\/edit$/);
      assert.equal(await page.getByLabel('Condition 1 value').inputValue(), 'gold, silver');
      await page.getByLabel('Name', { exact: true }).fill('Morning coffee for regulars (v2)');
      await page.getByRole('button', { name: 'Save rule' }).click();
      await page.getByText('Rule saved as a new version.').waitFor();
      assert.match((await page.locator('main').textContent()) ?? '', /Version 2/);

      await seedMonth(admin.ctx.database.pool, { orgId: admin.org.orgId, venueId: admin.org.venueId, ruleId });
      await page.getByRole('link', { name: 'Results and lift' }).click();
      await page.waitForURL(`${base}/admin/rules/${ruleId}/results`);
      const figure = (label: string) => page.locator(`dt:text-is("${label}") + dd`).textContent();
      assert.equal(await figure('Events matched'), '112');
      assert.equal(await figure('Lift'), '+66.7%');
      assert.equal(await page.getByRole('img', { name: 'Suppressed decisions by reason' }).count(), 1);
      assert.equal(await page.getByText('Too few visitors to trust this yet').count(), 0, 'both groups have 30 or more visitors');
      await admin.check(page, 'triggers-rule-results');

      await page.getByLabel('Period', { exact: true }).selectOption('7');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL(/period=7/);
      assert.ok(Number(await figure('Events matched')) < 112, 'a shorter period counts fewer decisions');
    } finally {
      await page.context().close();
    }
  });
});
