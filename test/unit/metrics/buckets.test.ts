import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketsOf, daysBetween, localDay, startOfLocalDay } from '../../../src/analytics/metrics/buckets.js';

const at = (iso: string): number => Date.parse(iso) / 1000;

describe('bucketsOf', () => {
  it('aligns fixed intervals to the clock and covers the whole period', () => {
    const buckets = bucketsOf(at('2026-03-02T10:07:00Z'), at('2026-03-02T11:00:00Z'), 900, 'UTC');
    assert.deepEqual(
      buckets.map((b) => new Date(b.start * 1000).toISOString().slice(11, 16)),
      ['10:00', '10:15', '10:30', '10:45'],
    );
    assert.equal(buckets.at(-1)?.end, at('2026-03-02T11:00:00Z'));
  });

  it('cuts days at the venue’s local midnight, 23 hours long on the spring DST change', () => {
    const buckets = bucketsOf(at('2026-03-28T12:00:00Z'), at('2026-03-30T12:00:00Z'), 'day', 'Europe/London');
    assert.deepEqual(
      buckets.map((b) => [new Date(b.start * 1000).toISOString(), (b.end - b.start) / 3600]),
      [
        ['2026-03-28T00:00:00.000Z', 24],
        ['2026-03-29T00:00:00.000Z', 23],
        ['2026-03-29T23:00:00.000Z', 24],
      ],
    );
  });

  it('gives an empty list for an empty period', () => {
    assert.deepEqual(bucketsOf(100, 100, 60, 'UTC'), []);
  });
});

describe('local days', () => {
  it('finds the local day of an instant and its midnight across time zones', () => {
    assert.equal(localDay(at('2026-07-01T23:30:00Z'), 'Europe/Moscow'), '2026-07-02');
    assert.equal(localDay(at('2026-07-01T23:30:00Z'), 'America/New_York'), '2026-07-01');
    assert.equal(startOfLocalDay('2026-07-02', 'Europe/Moscow'), at('2026-07-01T21:00:00Z'));
    assert.equal(startOfLocalDay('2026-10-25', 'Europe/London'), at('2026-10-24T23:00:00Z'));
    assert.equal(daysBetween('2026-02-27', '2026-03-02'), 3);
  });
});
