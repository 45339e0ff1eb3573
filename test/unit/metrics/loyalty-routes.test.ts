import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frequencyOf, loyaltyOf } from '../../../src/analytics/metrics/loyalty.js';
import { intersectionsOf, routesOf } from '../../../src/analytics/metrics/routes.js';
import type { SessionRecord } from '../../../src/analytics/metrics/session.js';

describe('loyaltyOf', () => {
  const devices = [
    { device: 'daily', days: ['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08'] },
    { device: 'weekly', days: ['2026-04-24', '2026-05-08'] },
    { device: 'occasional', days: ['2026-01-10', '2026-05-08'] },
    { device: 'first', days: ['2026-05-08'] },
    { device: 'not-in-period', days: ['2026-05-01'] },
  ];

  it('splits new from repeat devices by whether they were seen before the period', () => {
    const summary = loyaltyOf(devices, '2026-05-08', '2026-05-08');
    assert.equal(summary.newDevices, 1);
    assert.equal(summary.repeatDevices, 3);
  });

  it('classes devices daily, weekly, occasional and first-time at the period end', () => {
    assert.deepEqual(loyaltyOf(devices, '2026-05-08', '2026-05-08').classes, { daily: 1, weekly: 1, occasional: 1, first_time: 1 });
  });

  it('reports the days between visits for returns inside the period', () => {
    const bins = Object.fromEntries(frequencyOf(devices, '2026-05-08', '2026-05-08').map((b) => [b.label, b.returns]));
    assert.equal(bins['1 day'], 1);
    assert.equal(bins['8-14 days'], 1);
    assert.equal(bins['31+ days'], 1);
  });
});

const zone = (device: string, zoneId: string, start: number, end: number): SessionRecord => ({ device, venueId: 'v', zoneId, start, end, strongSeconds: end - start, kind: 'visitor' });

describe('routesOf', () => {
  it('counts ordered moves between zones and ignores moves after a long gap', () => {
    const routes = routesOf(
      [zone('a', 'door', 0, 60), zone('a', 'tills', 70, 200), zone('b', 'door', 0, 30), zone('b', 'tills', 50, 90), zone('b', 'door', 100, 120), zone('c', 'door', 0, 10), zone('c', 'tills', 5000, 5100)],
      900,
    );
    assert.deepEqual(routes, [
      { from: 'door', to: 'tills', count: 2 },
      { from: 'tills', to: 'door', count: 1 },
    ]);
  });
});

describe('intersectionsOf', () => {
  it('gives the share of each venue’s visitors also seen at the other', () => {
    const result = intersectionsOf(new Map([['A', new Set(['1', '2', '3', '4'])], ['B', new Set(['3', '4'])]]));
    assert.deepEqual(result, [
      { venueId: 'A', otherVenueId: 'B', visitors: 4, shared: 2, share: 0.5 },
      { venueId: 'B', otherVenueId: 'A', visitors: 2, shared: 2, share: 1 },
    ]);
  });
});
