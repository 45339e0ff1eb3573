/**
 * "Returned after N days" counts calendar days where the venue is: a visit at
 * 23:00 and one at 09:00 the next morning are one day apart in Europe/London,
 * whatever UTC says.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Days since 1970-01-01 of the local calendar date at epoch seconds `ts` in `timeZone`. */
export function localDayNumber(ts: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(ts * 1000));
  const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(field('year'), field('month') - 1, field('day')) / 86_400_000;
}

/** Whole local calendar days from `from` to `to` (0 on the same local day). */
export const calendarDaysBetween = (from: number, to: number, timeZone: string): number =>
  localDayNumber(to, timeZone) - localDayNumber(from, timeZone);
