/** Interval lengths the metrics API accepts: 1, 5, 15, 60 minutes, or a calendar day in the venue's time zone. */
export type Interval = 60 | 300 | 900 | 3600 | 'day';

export const INTERVALS: readonly Interval[] = [60, 300, 900, 3600, 'day'];

export interface Bucket {
  /** Epoch seconds, inclusive. */
  start: number;
  /** Epoch seconds, exclusive. */
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Seconds to add to UTC to get local wall time at this instant. */
function offsetAt(epochSeconds: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochSeconds * 1000))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0) / 1000;
  return wall - Math.floor(epochSeconds);
}

/** The local calendar day (YYYY-MM-DD) of an instant in a time zone. */
export function localDay(epochSeconds: number, timeZone: string): string {
  const local = new Date((Math.floor(epochSeconds) + offsetAt(epochSeconds, timeZone)) * 1000);
  return local.toISOString().slice(0, 10);
}

/** Epoch seconds of local midnight starting the given day (DST-safe: re-checks the offset at the result). */
export function startOfLocalDay(day: string, timeZone: string): number {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`) / 1000;
  let guess = midnightUtc - offsetAt(midnightUtc, timeZone);
  guess = midnightUtc - offsetAt(guess, timeZone);
  return guess;
}

/** Whole days between two local days (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The buckets covering [from, to). Fixed intervals are aligned to the epoch
 * (so 15-minute buckets start at :00, :15...); days follow the venue's local
 * midnights, so a DST day is 23 or 25 hours long.
 */
export function bucketsOf(from: number, to: number, interval: Interval, timeZone: string): Bucket[] {
  const buckets: Bucket[] = [];
  if (to <= from) return buckets;
  if (interval === 'day') {
    let day = localDay(from, timeZone);
    let start = startOfLocalDay(day, timeZone);
    while (start < to) {
      day = nextDay(day);
      const end = startOfLocalDay(day, timeZone);
      buckets.push({ start, end });
      start = end;
    }
    return buckets;
  }
  for (let start = Math.floor(from / interval) * interval; start < to; start += interval) {
    buckets.push({ start, end: start + interval });
  }
  return buckets;
}
