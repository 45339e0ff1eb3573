import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localParts } from '../../../src/triggers/rules/local-time.js';
import { effectiveQuietHours, quietHoursEnd } from '../../../src/triggers/rules/quiet-hours.js';
import { DEFAULT_TRIGGER_SETTINGS, type ScheduleWindow } from '../../../src/triggers/rules/rule.schema.js';
import { inDailyWindow, scheduleAllows, windowContains } from '../../../src/triggers/rules/schedule.js';
import { makeRule } from './fixtures.js';

const london = (iso: string) => localParts(new Date(iso), 'Europe/London');
const weekdays: ScheduleWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
const lateFriday: ScheduleWindow = { days: ['fri'], from: '21:00', to: '02:00' };

describe('daily windows', () => {
  it('includes the start and excludes the end', () => {
    assert.equal(inDailyWindow(9 * 60, 9 * 60, 17 * 60), true);
    assert.equal(inDailyWindow(17 * 60 - 1, 9 * 60, 17 * 60), true);
    assert.equal(inDailyWindow(17 * 60, 9 * 60, 17 * 60), false);
  });

  it('wraps past midnight when the end is before the start', () => {
    assert.equal(inDailyWindow(23 * 60, 21 * 60, 8 * 60), true);
    assert.equal(inDailyWindow(7 * 60 + 59, 21 * 60, 8 * 60), true);
    assert.equal(inDailyWindow(8 * 60, 21 * 60, 8 * 60), false);
    assert.equal(inDailyWindow(20 * 60 + 59, 21 * 60, 8 * 60), false);
  });
});

describe('schedule windows', () => {
  it('holds on the listed weekdays within the hours only (BST local time)', () => {
    // 2026-06-12 is a Friday; 15:59 UTC is 16:59 BST.
    assert.equal(windowContains(weekdays, london('2026-06-12T15:59:00Z')), true);
    assert.equal(windowContains(weekdays, london('2026-06-12T16:00:00Z')), false);
    assert.equal(windowContains(weekdays, london('2026-06-13T10:00:00Z')), false, 'Saturday');
  });

  it('keeps a window that wraps midnight on the day it started', () => {
    assert.equal(windowContains(lateFriday, london('2026-06-12T21:00:00Z')), true, 'Friday 22:00');
    assert.equal(windowContains(lateFriday, london('2026-06-13T00:30:00Z')), true, 'Saturday 01:30 belongs to Friday night');
    assert.equal(windowContains(lateFriday, london('2026-06-12T00:30:00Z')), false, 'Friday 01:30 belongs to Thursday night');
    assert.equal(windowContains(lateFriday, london('2026-06-13T21:00:00Z')), false, 'Saturday 22:00');
  });

  it('treats an empty schedule as any time and several windows as alternatives', () => {
    assert.equal(scheduleAllows([], london('2026-06-13T03:00:00Z')), true);
    assert.equal(scheduleAllows([weekdays, lateFriday], london('2026-06-13T00:30:00Z')), true);
    assert.equal(scheduleAllows([weekdays, lateFriday], london('2026-06-13T10:00:00Z')), false);
  });
});

describe('quiet hours', () => {
  const quiet = { from: '21:00', to: '08:00' };

  it('ends at local 08:00 the next morning, one hour earlier in UTC across the spring-forward', () => {
    // 22:00 GMT on Saturday 2026-03-28; 08:00 on Sunday is BST = 07:00 UTC (9 hours later, not 10).
    assert.equal(quietHoursEnd(new Date('2026-03-28T22:00:00Z'), 'Europe/London', quiet)?.toISOString(), '2026-03-29T07:00:00.000Z');
  });

  it('ends at local 08:00 GMT after the fall-back night', () => {
    assert.equal(quietHoursEnd(new Date('2026-10-24T21:30:00Z'), 'Europe/London', quiet)?.toISOString(), '2026-10-25T08:00:00.000Z');
    assert.equal(quietHoursEnd(new Date('2026-11-01T02:00:00Z'), 'America/New_York', quiet)?.toISOString(), '2026-11-01T13:00:00.000Z');
  });

  it('ends the same morning when now is after midnight', () => {
    assert.equal(quietHoursEnd(new Date('2026-01-15T20:00:00Z'), 'Asia/Kolkata', quiet)?.toISOString(), '2026-01-16T02:30:00.000Z');
  });

  it('is null outside quiet hours, at their end, and when both ends are equal', () => {
    assert.equal(quietHoursEnd(new Date('2026-06-10T11:00:00Z'), 'Europe/London', quiet), null);
    assert.equal(quietHoursEnd(new Date('2026-06-10T07:00:00Z'), 'Europe/London', quiet), null, '08:00 BST');
    assert.notEqual(quietHoursEnd(new Date('2026-06-10T20:00:00Z'), 'Europe/London', quiet), null, '21:00 BST');
    assert.equal(quietHoursEnd(new Date('2026-06-10T22:00:00Z'), 'Europe/London', { from: '08:00', to: '08:00' }), null);
  });

  it("takes the rule's own ends over the organisation's, end by end", () => {
    const rule = makeRule({ quietHours: { mode: 'hold', to: '10:00' } });
    assert.deepEqual(effectiveQuietHours(rule.definition, DEFAULT_TRIGGER_SETTINGS), { from: '21:00', to: '10:00' });
  });
});
