import { AppError } from '../../shared/errors.js';

const MINUTE = 60;
/** Enough minutes for months of capture; past it the cache starts over rather than grow without bound. */
const MAX_CACHED_MINUTES = 200_000;

/**
 * Wall-clock times in one IANA zone to epoch seconds. Intl is slow (microseconds a call) and a file holds
 * millions of probes within a few hours, so the zone's offset is cached per minute of time: every
 * real transition falls on a whole minute.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat | undefined;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new AppError('VALIDATION_FAILED', `unknown time zone "${timeZone}": give an IANA name such as Europe/Prague or UTC`, {
        fields: [{ path: 'timeZone', message: 'unknown time zone' }],
      });
    }
    this.format = format.resolvedOptions().timeZone === 'UTC' ? undefined : format;
  }

  /**
   * `wall`: the local date and time read as if it were UTC, in seconds. Times skipped by a DST jump
   * come out shifted by the jump; repeated times (the hour after a fall-back) resolve to one of the two.
   */
  toEpoch(wall: number): number {
    const format = this.format;
    if (format === undefined) return wall;
    const first = this.offsetAt(format, wall);
    const second = this.offsetAt(format, wall - first);
    return wall - second;
  }

  /** Seconds the zone is ahead of UTC at `instant` (epoch seconds). */
  private offsetAt(format: Intl.DateTimeFormat, instant: number): number {
    const minute = Math.floor(instant / MINUTE);
    const cached = this.offsets.get(minute);
    if (cached !== undefined) return cached;
    const at = minute * MINUTE;
    const parts = format.formatToParts(new Date(at * 1000));
    const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
    const local = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second')) / 1000;
    const offset = local - at;
    if (this.offsets.size >= MAX_CACHED_MINUTES) this.offsets.clear();
    this.offsets.set(minute, offset);
    return offset;
  }
}

const clocks = new Map<string, ZoneClock>();

/** One clock per zone for the process: its cache is what makes it fast. */
export function zoneClock(timeZone = 'UTC'): ZoneClock {
  let clock = clocks.get(timeZone);
  if (clock === undefined) {
    clock = new ZoneClock(timeZone);
    clocks.set(timeZone, clock);
  }
  return clock;
}

/** The number in `count` decimal digits at `at`, or -1. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i += 1) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Offset suffix at `p` in seconds: `Z`, `+01:00`, `+0100`, `+01`; undefined when there is none; NaN when malformed. */
function offsetSuffix(text: string, p: number): number | undefined {
  if (p === text.length) return undefined;
  const c = text[p];
  if ((c === 'Z' || c === 'z') && p + 1 === text.length) return 0;
  if (c !== '+' && c !== '-') return Number.NaN;
  const rest = text.length - p - 1;
  const hours = digits(text, p + 1, 2);
  let minutes = 0;
  if (rest === 5 && text[p + 3] === ':') minutes = digits(text, p + 4, 2);
  else if (rest === 4) minutes = digits(text, p + 3, 2);
  else if (rest !== 2) return Number.NaN;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN;
  return (c === '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
}

/**
 * ISO 8601 / RFC 3339 date and time (`T` or a space between), fraction of any length (kept to the
 * nanosecond, unlike Date.parse which keeps milliseconds), with `Z` or an offset; without one the time
 * is local to `clock`'s zone. Undefined when `text` is not such a time. Hand-written: one call per probe.
 */
export function parseDateTime(text: string, clock: ZoneClock): number | undefined {
  if (text.length < 16 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':') return undefined;
  const sep = text[10];
  if (sep !== 'T' && sep !== ' ' && sep !== 't') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  let second = 0;
  let fraction = 0;
  let fractionDigits = 0;
  let p = 16;
  if (text[p] === ':') {
    second = digits(text, p + 1, 2);
    p += 3;
    if (text[p] === '.' || text[p] === ',') {
      p += 1;
      const from = p;
      while (p < text.length && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) {
        if (p - from < 9) fraction = fraction * 10 + text.charCodeAt(p) - 48;
        p += 1;
      }
      fractionDigits = Math.min(9, p - from);
      if (fractionDigits === 0) return undefined;
    }
  }
  if (year < 0 || month < 1 || month > 12 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const monthDays = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31);
  if (day < 1 || day > monthDays) return undefined;
  const offset = offsetSuffix(text, p);
  if (Number.isNaN(offset)) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  const whole = offset === undefined ? clock.toEpoch(wall) : wall - offset;
  if (fractionDigits === 0) return whole;
  const scale = 10 ** fractionDigits;
  // Up to microseconds the numerator is an exact integer, so the result is the double nearest the true time.
  return fractionDigits <= 6 ? (whole * scale + fraction) / scale : whole + fraction / scale;
}
