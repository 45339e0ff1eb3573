import type { ConditionTrace } from '../ports.js';
import { describeLocal, minutesOf, previousWeekday, type LocalParts } from './local-time.js';
import type { ScheduleWindow } from './rule.schema.js';

/**
 * Whether a minute of the day is in [from, to). An end before the start wraps
 * past midnight (21:00-08:00); equal ends mean the whole day.
 */
export function inDailyWindow(minute: number, from: number, to: number): boolean {
  if (from < to) return minute >= from && minute < to;
  return minute >= from || minute < to;
}

/**
 * A window belongs to the day it starts on: "fri 21:00-02:00" still holds at
 * 01:00 on Saturday, and not at 01:00 on Friday.
 */
export function windowContains(window: ScheduleWindow, local: LocalParts): boolean {
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  const m = local.minuteOfDay;
  if (from < to) return m >= from && m < to && window.days.includes(local.weekday);
  if (m >= from) return window.days.includes(local.weekday);
  if (m < to) return window.days.includes(previousWeekday(local.weekday));
  return false;
}

/** No windows: any time. */
export function scheduleAllows(schedule: ScheduleWindow[], local: LocalParts): boolean {
  return schedule.length === 0 || schedule.some((w) => windowContains(w, local));
}

export function scheduleTrace(schedule: ScheduleWindow[], local: LocalParts): ConditionTrace {
  return {
    condition: 'schedule',
    expected: schedule.length === 0 ? 'any time' : schedule.map((w) => `${w.days.join(',')} ${w.from}-${w.to}`),
    actual: describeLocal(local),
    passed: scheduleAllows(schedule, local),
  };
}
