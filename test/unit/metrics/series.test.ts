import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketsOf } from '../../../src/analytics/metrics/buckets.js';
import { occupancyNow, seriesOf } from '../../../src/analytics/metrics/series.js';
import type { SessionRecord } from '../../../src/analytics/metrics/session.js';
import { bounceRateOf, dwellOf } from '../../../src/analytics/metrics/visits.js';

const T0 = Date.parse('2026-05-04T09:00:00Z') / 1000;
const session = (device: string, startMin: number, endMin: number, kind: SessionRecord['kind'], strongMin = kind === 'visitor' ? endMin - startMin : 0): SessionRecord => ({
  device,
  venueId: 'v',
  zoneId: null,
  start: T0 + startMin * 60,
  end: T0 + endMin * 60,
  strongSeconds: strongMin * 60,
  kind,
});

describe('seriesOf', () => {
  const sessions = [
    session('a', 1, 3, 'passerby'),
    session('b', 2, 40, 'visitor'),
    session('c', 14, 16, 'passerby'),
    session('d', 20, 50, 'visitor'),
  ];
  const points = seriesOf(sessions, bucketsOf(T0, T0 + 3600, 900, 'UTC'));

  it('counts crossings by the bucket they start in, split into passers-by and visitors', () => {
    assert.deepEqual(points.map((p) => [p.footfall, p.passersby, p.visitors]), [[3, 2, 1], [1, 0, 1], [0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(points.map((p) => p.captureRate), [0.3333, 1, null, null]);
  });

  it('counts each device present in a bucket once, whichever bucket it started in', () => {
    assert.deepEqual(points.map((p) => p.devices), [3, 3, 2, 1]);
  });

  it('gives occupancy as the time-weighted mean of visitors present', () => {
    // 0-15: b present 13 of 15 min; 15-30: b all, d 10 min; 30-45: b 10, d 15; 45-60: d 5.
    assert.deepEqual(points.map((p) => p.occupancy), [0.87, 1.67, 1.67, 0.33]);
  });

  it('sees visitors present now within the last ten minutes only', () => {
    assert.equal(occupancyNow(sessions, T0 + 45 * 60), 2);
    assert.equal(occupancyNow(sessions, T0 + 55 * 60), 1);
    assert.equal(occupancyNow(sessions, T0 + 61 * 60), 0);
  });
});

describe('dwell and bounce', () => {
  it('takes the median and buckets over visitor sessions only', () => {
    const dwell = dwellOf([session('a', 0, 1, 'passerby'), session('b', 0, 10, 'visitor'), session('c', 0, 30, 'visitor'), session('d', 0, 400, 'visitor')]);
    assert.equal(dwell.visits, 3);
    assert.equal(dwell.median, 1800);
    assert.deepEqual(dwell.buckets.map((b) => b.visits), [0, 1, 1, 0, 1]);
  });

  it('counts bounces among sessions that came inside, not among passers-by who never did', () => {
    const result = bounceRateOf([session('a', 0, 2, 'passerby'), session('b', 0, 3, 'passerby', 1), session('c', 0, 30, 'visitor')], 300);
    assert.deepEqual(result, { entries: 2, bounces: 1, rate: 0.5 });
    assert.equal(bounceRateOf([], 300).rate, null);
  });
});
