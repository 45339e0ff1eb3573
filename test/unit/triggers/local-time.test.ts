import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localDayBounds, localDaysBetween, localParts, nextLocalTime } from '../../../src/triggers/rules/local-time.js';

const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

describe('local time parts', () => {
  it('reads weekday and minute of day in the zone, including across the London spring-forward', () => {
    assert.deepEqual(localParts(at('2026-03-29T00:30:00Z'), 'Europe/London'), { year: 2026, month: 3, day: 29, hour: 0, minute: 30, weekday: 'sun', minuteOfDay: 30 });
    // 01:30 UTC is already 02:30 BST: the local hour 01 does not exist that day.
    assert.equal(localParts(at('2026-03-29T01:30:00Z'), 'Europe/London').minuteOfDay, 150);
  });

  it('handles half-hour offsets (Asia/Kolkata is +05:30) and the date change they cause', () => {
    const p = localParts(at('2026-03-29T20:00:00Z'), 'Asia/Kolkata');
    assert.deepEqual([p.year, p.month, p.day, p.weekday, p.hour, p.minute], [2026, 3, 30, 'mon', 1, 30]);
  });

  it('reads New York local time on both sides of its DST change', () => {
    assert.equal(localParts(at('2026-03-08T06:59:00Z'), 'America/New_York').hour, 1);
    assert.equal(localParts(at('2026-03-08T07:00:00Z'), 'America/New_York').hour, 3);
  });
});

describe('localDayBounds', () => {
  it('gives a 23-hour local day on the London spring-forward date (2026-03-29)', () => {
    const { start, end } = localDayBounds(at('2026-03-29T12:00:00Z'), 'Europe/London');
    assert.equal(iso(start), '2026-03-29T00:00:00.000Z');
    assert.equal(iso(end), '2026-03-29T23:00:00.000Z');
  });

  it('gives a 25-hour local day on the London fall-back date (2026-10-25)', () => {
    const { start, end } = localDayBounds(at('2026-10-25T12:00:00Z'), 'Europe/London');
    assert.equal(iso(start), '2026-10-24T23:00:00.000Z');
    assert.equal(iso(end), '2026-10-26T00:00:00.000Z');
  });

  it('starts the Kolkata day at 18:30 UTC the evening before', () => {
    const { start, end } = localDayBounds(at('2026-06-01T20:00:00Z'), 'Asia/Kolkata');
    assert.equal(iso(start), '2026-06-01T18:30:00.000Z');
    assert.equal(iso(end), '2026-06-02T18:30:00.000Z');
  });

  it('follows New York across its spring-forward day', () => {
    const { start, end } = localDayBounds(at('2026-03-08T12:00:00Z'), 'America/New_York');
    assert.equal(iso(start), '2026-03-08T05:00:00.000Z');
    assert.equal(iso(end), '2026-03-09T04:00:00.000Z');
  });
});

describe('nextLocalTime', () => {
  it('finds 08:00 the next morning in summer time when the clocks change overnight', () => {
    assert.equal(iso(nextLocalTime(at('2026-03-28T22:00:00Z'), 'Europe/London', '08:00')), '2026-03-29T07:00:00.000Z');
  });

  it('answers a time inside the spring-forward gap with the transition itself', () => {
    // 01:30 never happens in London on 2026-03-29: at 01:00 UTC the clock jumps from 01:00 to 02:00.
    assert.equal(iso(nextLocalTime(at('2026-03-29T00:10:00Z'), 'Europe/London', '01:30')), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-03-08T06:30:00Z'), 'America/New_York', '02:30')), '2026-03-08T07:00:00.000Z');
  });

  it('takes the first occurrence in the fall-back overlap, and the second once the first has passed', () => {
    assert.equal(iso(nextLocalTime(at('2026-10-25T00:10:00Z'), 'Europe/London', '01:30')), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-10-25T00:45:00Z'), 'Europe/London', '01:30')), '2026-10-25T01:30:00.000Z');
  });

  it('is strictly after now and rolls to the next day', () => {
    assert.equal(iso(nextLocalTime(at('2026-01-01T08:00:00Z'), 'Europe/London', '08:00')), '2026-01-02T08:00:00.000Z');
    assert.equal(iso(nextLocalTime(at('2026-01-01T16:00:00Z'), 'Asia/Kolkata', '08:00')), '2026-01-02T02:30:00.000Z');
  });
});

describe('localDaysBetween', () => {
  it('counts calendar days in the zone, not 24-hour periods', () => {
    assert.equal(localDaysBetween(at('2026-03-28T23:30:00Z'), at('2026-03-29T00:30:00Z'), 'Europe/London'), 1);
    // Same UTC date, but midnight passed in Kolkata.
    assert.equal(localDaysBetween(at('2026-01-01T18:00:00Z'), at('2026-01-01T18:45:00Z'), 'Asia/Kolkata'), 1);
    assert.equal(localDaysBetween(at('2026-01-01T00:05:00Z'), at('2026-01-01T23:55:00Z'), 'Europe/London'), 0);
    assert.equal(localDaysBetween(at('2026-03-01T12:00:00Z'), at('2026-04-01T11:00:00Z'), 'Europe/London'), 31);
  });
});
