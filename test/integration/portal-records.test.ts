import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LoginLogService } from '../../src/portal/index.js';
import { createServices } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { TEST_SECRET_KEY } from '../helpers/env.js';
import { newOrg } from '../helpers/factories.js';

describe('portal login log retention', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.drop());

  const login = async (orgId: string, venueId: string, daysAgo: number, now: Date) => {
    await db.pool.query(
      `INSERT INTO portal_logins (id, org_id, phone, device_hash, venue_id, gateway_id, method, consents, logged_in_at)
       VALUES (gen_random_uuid(), $1, '+447400123456', $2, $3, gen_random_uuid(), 'sms_code', '{}', $4::timestamptz - make_interval(days => $5))`,
      [orgId, 'a'.repeat(64), venueId, now, daysAgo],
    );
  };

  it("purges records past each organisation's retention and keeps the rest", async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const services = createServices({ db: db.pool, clock: { now: () => now }, secretKey: TEST_SECRET_KEY });
    const [short, standard] = [await newOrg(services), await newOrg(services)];
    await db.pool.query(`INSERT INTO portal_org_settings (org_id, settings) VALUES ($1, '{"loginRetentionDays": 30}')`, [short.orgId]);
    for (const org of [short, standard]) for (const days of [10, 31, 182, 184]) await login(org.orgId, org.venueId, days, now);

    const purged = await new LoginLogService({ db: db.pool, clock: { now: () => now } }).purgeExpired();
    assert.equal(purged, 4, '3 of the 30-day organisation, 1 of the default 183-day one');
    const left = await db.pool.query<{ org_id: string; n: number }>('SELECT org_id, count(*)::int AS n FROM portal_logins GROUP BY org_id');
    const counts = Object.fromEntries(left.rows.map((r) => [r.org_id, r.n]));
    assert.deepEqual(counts, { [short.orgId]: 1, [standard.orgId]: 3 });
  });
});
