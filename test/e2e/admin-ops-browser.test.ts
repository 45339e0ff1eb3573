import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import request from 'supertest';
import { createPool } from '../../src/db/pool.js';
import { createLogger } from '../../src/shared/logger.js';
import { createRecentErrorsSink, recentErrorsKey } from '../../src/shared/recent-errors.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.server.js';
import { buildTestApp } from '../helpers/context.js';
import { bearer } from '../helpers/factories.js';
import { waitFor } from '../helpers/triggers.js';
import { browserSkip, LAPTOP, startAdminBrowser, type AdminBrowser } from './support/admin-browser.js';

/**
 * Webhook endpoints, the queue board and recent errors as an owner sees
 * them in headless Chromium: create an endpoint (secret shown once), send a
 * signed test delivery to a local CRM, pause a queue from Bull Board (its API
 * call passes the CSRF check) and read an error a real request failure left.
 */
describe('admin operations in headless Chromium: webhooks, queues, errors', { skip: browserSkip }, () => {
  let admin: AdminBrowser | undefined;
  let crm: WebhookReceiver | undefined;
  let failedRequestId = '';

  before(async () => {
    crm = await startWebhookReceiver({ secrets: [] });
    admin = await startAdminBrowser({
      orgName: 'Ops Browser Group',
      // The fake CRM listens on loopback.
      env: { TRIGGERS_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' },
      seed: async (ctx, org) => {
        // Another web process of this installation whose database is gone: its failure lands in the shared error list.
        const sink = createRecentErrorsSink();
        sink.attach(ctx.redis, ctx.config.queue.prefix);
        const logger = createLogger('error', { write: () => true } as unknown as NodeJS.WritableStream, { errorSink: sink, bindings: { role: 'web' } });
        const missing = new URL(ctx.database.url);
        missing.pathname = `/${ctx.database.name}_missing`;
        const pool = createPool(missing.toString(), 1, logger);
        const other = buildTestApp(ctx.config, { ...ctx.database, pool }, ctx.redis, logger);
        const res = await request(other.app).get('/api/v1/venues').set(bearer(org.apiKey)).expect(500);
        failedRequestId = String(res.headers['x-request-id']);
        await waitFor(async () => (await ctx.redis.lrange(recentErrorsKey(ctx.config.queue.prefix), 0, -1)).some((e) => e.includes(failedRequestId)), 5_000, 'the error stored');
        sink.detach();
        await other.triggers.close();
        await pool.end();
      },
    });
  });

  after(async () => {
    if (admin) {
      const { redis, config } = admin.ctx;
      await redis.del(recentErrorsKey(config.queue.prefix));
      await admin.close();
    }
    await crm?.close();
  });

  it('creates an endpoint, shows the secret once and sends a signed test delivery', async () => {
    assert.ok(admin && crm);
    const receiver = crm;
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.waitForURL(/\/admin\/webhooks$/);
      await page.getByLabel('URL').fill('http://169.254.169.254/latest');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      assert.match((await page.locator('#url-error').textContent()) ?? '', /cloud metadata address/);

      await page.getByLabel('URL').fill(receiver.url);
      await page.getByLabel('Description').fill('Loyalty CRM (staging)');
      await page.getByLabel('Entered the venue').check();
      await page.getByLabel('Every rule firing (trigger.fired)').check();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByText('Copy it now: it will not be shown again').waitFor();
      const secret = await page.getByLabel(/Secret for/).inputValue();
      assert.match(secret, /^whsec_/);
      receiver.setSecrets([secret]);
      await admin.check(page, 'ops-webhook-created');

      await page.getByRole('link', { name: 'Continue to the endpoint' }).click();
      await page.getByRole('button', { name: 'Send test delivery' }).click();
      await page.locator('#test-result').waitFor();
      assert.match((await page.locator('#test-result').textContent()) ?? '', /Delivered: the receiver answered 2xx\.[\s\S]*HTTP 200/);
      const last = receiver.received.at(-1);
      assert.ok(last?.verified, 'the CRM verified the signature with the secret shown');
      assert.equal((await page.content()).includes(secret), false, 'the secret is not shown again');
      await admin.check(page, 'ops-webhook-test');

      await page.getByRole('link', { name: '← All webhook endpoints' }).click();
      await page.getByRole('cell', { name: /Loyalty CRM \(staging\)/ }).waitFor();
      await admin.check(page, 'ops-webhooks');
    } finally {
      await page.context().close();
    }
  });

  it('shows Bull Board with every queue and pauses a queue through it', async () => {
    assert.ok(admin);
    const { ctx } = admin;
    const page = await admin.newPage(LAPTOP);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !/fonts\.googleapis/.test(message.text())) problems.push(message.text());
    });
    const queue = new Queue('maintenance', { connection: ctx.redis, prefix: ctx.config.queue.prefix, skipMetasUpdate: true });
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('link', { name: 'Queues' }).click();
      await page.getByText('trigger-deliveries').first().waitFor();
      await page.getByText('No workers').first().waitFor();
      await admin.check(page, 'ops-queues');

      // Pausing is one of the board's API calls (PUT): it passes the CSRF check only with the token our script adds.
      assert.equal(await queue.isPaused(), false);
      await page.locator('li:has(a[title="maintenance"]) button[aria-haspopup="menu"]').click();
      await page.getByRole('menuitem', { name: 'Pause' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
      await waitFor(() => queue.isPaused(), 5_000, 'the maintenance queue paused');
      assert.deepEqual(problems, [], 'no CSP violations or failed calls');
    } finally {
      await queue.resume();
      await queue.close();
      await page.context().close();
    }
  });

  it('lists the error a real request failure left, with its request id', async () => {
    assert.ok(admin);
    const page = await admin.newPage();
    try {
      await admin.signIn(page, admin.emails.owner);
      await page.getByRole('link', { name: 'Errors' }).click();
      await page.waitForURL(/\/admin\/errors$/);
      const row = page.locator('tr.error-row', { hasText: 'request failed' }).first();
      assert.match((await row.textContent()) ?? '', new RegExp(failedRequestId));
      await admin.check(page, 'ops-errors');
    } finally {
      await page.context().close();
    }
  });
});
