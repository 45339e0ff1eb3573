/** How the analytics pages print numbers and times: one place, so the tables and charts agree. */

/** 0.529 -> "52.9%"; null (nothing to divide by) -> "–". */
export const percent = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);

/** Seconds as whole minutes; null -> "–". */
export const minutes = (seconds: number | null): string => (seconds === null ? '–' : `${String(Math.round(seconds / 60))} min`);

/** A number with at most `places` decimals ("3", "2.46"); null -> "–". */
export const decimal = (value: number | null, places = 2): string => (value === null ? '–' : String(Number(value.toFixed(places))));

/** An interval length in words: "15 min", "1 h", "1 day". */
export function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${String(seconds / 86_400)} days`;
  if (seconds % 3600 === 0) return `${String(seconds / 3600)} h`;
  if (seconds % 60 === 0) return `${String(seconds / 60)} min`;
  return `${String(seconds)} s`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "Mon 4 May, 09:15" in the venue's time zone. */
export function localTime(epochSeconds: number, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  return format.format(new Date(epochSeconds * 1000));
}

const isoFormatters = new Map<string, Intl.DateTimeFormat>();

/** "2026-05-04 09:15" in the time zone (seconds only when there are some): what the counts CSV holds. */
export function localIso(epochSeconds: number, timeZone: string): string {
  let format = isoFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    isoFormatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(new Date(epochSeconds * 1000))) parts[part.type] = part.value;
  const seconds = parts.second === undefined || parts.second === '00' ? '' : `:${parts.second}`;
  return `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''} ${parts.hour ?? ''}:${parts.minute ?? ''}${seconds}`;
}
