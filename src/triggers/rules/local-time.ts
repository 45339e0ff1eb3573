import { WEEKDAYS, type Weekday } from './rule.schema.js';

/**
 * Wall-clock arithmetic in an IANA time zone through Intl (no date library).
 * "Local" always means the venue's zone; instants are UTC. DST is handled by
 * looking at the offsets on either side of a wall time: a spring-forward gap
 * has no valid instant (we take the transition, the first moment the clock
 * reads later than the wanted time), a fall-back overlap has two (both kept).
 */

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  weekday: Weekday;
  /** hour * 60 + minute */
  minuteOfDay: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

interface WallClock extends LocalParts {
  /** The wall time read as if it were UTC (for offset arithmetic). */
  wallMs: number;
}

function wallClock(instantMs: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instantMs))) parts[part.type] = part.value;
  const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => Number(parts[k]));
  const weekday = (parts.weekday ?? '').toLowerCase() as Weekday;
  const date = { year: year ?? 0, month: month ?? 1, day: day ?? 1 };
  const h = hour ?? 0;
  const m = minute ?? 0;
  const wallMs = Date.UTC(date.year, date.month - 1, date.day, h, m, second ?? 0);
  return { ...date, hour: h, minute: m, weekday, minuteOfDay: h * 60 + m, wallMs };
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const { wallMs: _wallMs, ...parts } = wallClock(instant.getTime(), timeZone);
  return parts;
}

/** Local time minus UTC at an instant, in ms (+05:30 → 19,800,000). */
export function offsetMs(instantMs: number, timeZone: string): number {
  return wallClock(instantMs, timeZone).wallMs - (instantMs - (instantMs % 1000));
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function previousWeekday(weekday: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(weekday) + 6) % 7] ?? weekday;
}

/** "HH:MM" → minutes after midnight. */
export function minutesOf(timeOfDay: string): number {
  const [h, m] = timeOfDay.split(':');
  return Number(h) * 60 + Number(m);
}

export const formatMinutes = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * The instants at which the local clock reads `minuteOfDay` on `date`: one
 * normally, two in a fall-back overlap, and in a spring-forward gap (none
 * exist) the transition itself, when the clock jumps past that time.
 */
export function occurrences(date: LocalDate, minuteOfDay: number, timeZone: string): number[] {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  // Offsets are at most ±14 h, so these two sample instants bracket every candidate.
  const before = offsetMs(wall - 30 * 60 * MINUTE, timeZone);
  const after = offsetMs(wall + 30 * 60 * MINUTE, timeZone);
  const valid = [...new Set([wall - before, wall - after])]
    .filter((instant) => Math.floor(wallClock(instant, timeZone).wallMs / MINUTE) === wall / MINUTE)
    .sort((a, b) => a - b);
  if (valid.length > 0) return valid;
  return [gapTransition(wall - after, wall - before, after, timeZone)];
}

/** First instant in (lo, hi] whose offset is `offsetAfter` (the clocks went forward there). */
function gapTransition(lo: number, hi: number, offsetAfter: number, timeZone: string): number {
  let low = lo;
  let high = hi;
  while (high - low > MINUTE) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if (offsetMs(mid, timeZone) === offsetAfter) high = mid;
    else low = mid;
  }
  return high;
}

/** The next instant strictly after `now` at which the local clock reads `timeOfDay` (HH:MM). */
export function nextLocalTime(now: Date, timeZone: string, timeOfDay: string): Date {
  const target = minutesOf(timeOfDay);
  const today = localParts(now, timeZone);
  for (let k = 0; k <= 2; k++) {
    for (const instant of occurrences(addDays(today, k), target, timeZone)) {
      if (instant > now.getTime()) return new Date(instant);
    }
  }
  // Unreachable: every local day has an occurrence (or a transition) of every time.
  return new Date(now.getTime() + DAY);
}

/** The local day containing `now` as UTC instants: [start, end). 23 or 25 hours long on DST switch days. */
export function localDayBounds(now: Date, timeZone: string): { start: Date; end: Date } {
  const today = localParts(now, timeZone);
  const start = occurrences(today, 0, timeZone)[0] ?? now.getTime();
  const end = occurrences(addDays(today, 1), 0, timeZone)[0] ?? now.getTime() + DAY;
  return { start: new Date(start), end: new Date(end) };
}

/** Calendar days between two instants' local dates (yesterday 23:59 → today 00:01 is 1). */
export function localDaysBetween(earlier: Date, later: Date, timeZone: string): number {
  const dayNumber = (d: LocalDate): number => Date.UTC(d.year, d.month - 1, d.day) / DAY;
  return dayNumber(localParts(later, timeZone)) - dayNumber(localParts(earlier, timeZone));
}

export const describeLocal = (parts: LocalParts): string => `${parts.weekday} ${formatMinutes(parts.minuteOfDay)}`;
