import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driveLoad } from '../../soak/driver.js';
import { formatReport, verdict, type LoadReport } from '../../soak/report.js';
import { soakOptions } from '../../soak/run.js';
import { lostTotal } from '../../soak/verify.js';

/**
 * The soak's driver for a short, modest run in CI: one app process (web + workers) under sensor ingest,
 * portal sign-ins and trigger events at once. It asserts completeness and boundedness, never speed.
 */
describe('combined load (short soak)', { timeout: 150_000 }, () => {
  it('loses nothing accepted, drains its queues and keeps the heap bounded under ingest, sign-ins and triggers together', async (t) => {
    const report: LoadReport = await driveLoad({
      // The soak's load, shorter and gentler (CI shares the machine with other test files).
      ...soakOptions(20),
      rates: { batches: 2, batchSize: 300, logins: 0.75, returningEvery: 4, events: 15, presenceEvery: 5 },
      // An upper bound for liveness on a loaded 2-core machine, not a speed target.
      drainTimeoutMs: 60_000,
    });
    t.diagnostic(formatReport(report));
    const { loss } = report;
    // The load did reach every part (otherwise "nothing lost" would be vacuous).
    assert.ok(loss.batchesAccepted >= 10, `batches accepted: ${loss.batchesAccepted}`);
    assert.ok(loss.loginsCompleted >= 5, `logins completed: ${loss.loginsCompleted}`);
    assert.ok(report.operations.some((o) => o.op === 'portal connect (returning)' && o.n > 0), 'some devices came back');
    assert.ok(loss.eventsAccepted >= 100 && loss.smsExpected >= 20, `events accepted: ${loss.eventsAccepted}, with SMS ${loss.smsExpected}`);
    assert.equal(lostTotal(loss), 0, `lost or doubled: ${JSON.stringify(loss)}`);
    assert.deepEqual(report.failures, {}, 'every request was answered as expected');
    assert.ok(Object.values(report.finalBusy).every((n) => n === 0), `queues drained: ${JSON.stringify(report.finalBusy)}`);
    // The soak's own verdict (no loss, drained, no unbounded queue growth) holds too; its heap-slope rule needs minutes, so it is checked below by bound.
    assert.deepEqual(verdict(report).filter((p) => !p.startsWith('heap')), []);
    // Generous: a leak at this traffic would be a small fraction of this, but a steady heap never gets near it.
    assert.ok(report.memory.heapMaxMb < 400, `heap max ${report.memory.heapMaxMb.toFixed(0)} MB`);
    assert.ok(report.memory.heapRatio < 2, `heap last/first ${report.memory.heapRatio.toFixed(2)}`);
  });
});
