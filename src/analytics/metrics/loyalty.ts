import { daysBetween } from './buckets.js';

/** A device's local visit days (YYYY-MM-DD, venue time zone), history included. */
export interface DeviceDays {
  device: string;
  days: readonly string[];
}

export type LoyaltyClass = 'daily' | 'weekly' | 'occasional' | 'first_time';

export interface LoyaltySummary {
  /** Devices whose first known visit falls in the period. */
  newDevices: number;
  /** Devices seen on a day before the period too. */
  repeatDevices: number;
  /** Classes at the period's last day: daily >= 5 of the last 7 days, weekly >= 2 of the last 4 weeks. */
  classes: Record<LoyaltyClass, number>;
}

function classify(days: readonly string[], lastDay: string): LoyaltyClass {
  const ago = days.map((day) => daysBetween(day, lastDay)).filter((d) => d >= 0);
  if (ago.filter((d) => d < 7).length >= 5) return 'daily';
  const weeks = new Set(ago.filter((d) => d < 28).map((d) => Math.floor(d / 7)));
  if (weeks.size >= 2) return 'weekly';
  return ago.length > 1 ? 'occasional' : 'first_time';
}

/** New vs repeat and loyalty classes of the devices that visited between firstDay and lastDay (inclusive). */
export function loyaltyOf(devices: readonly DeviceDays[], firstDay: string, lastDay: string): LoyaltySummary {
  const summary: LoyaltySummary = { newDevices: 0, repeatDevices: 0, classes: { daily: 0, weekly: 0, occasional: 0, first_time: 0 } };
  for (const { days } of devices) {
    const inPeriod = days.filter((day) => day >= firstDay && day <= lastDay);
    if (inPeriod.length === 0) continue;
    if (days.some((day) => day < firstDay)) summary.repeatDevices += 1;
    else summary.newDevices += 1;
    summary.classes[classify(days, lastDay)] += 1;
  }
  return summary;
}

const FREQUENCY_BINS: [string, number, number][] = [
  ['1 day', 1, 1],
  ['2 days', 2, 2],
  ['3 days', 3, 3],
  ['4-7 days', 4, 7],
  ['8-14 days', 8, 14],
  ['15-30 days', 15, 30],
  ['31+ days', 31, Number.POSITIVE_INFINITY],
];

/** Return cycle: days between consecutive visit days, for returns that happened between firstDay and lastDay. */
export function frequencyOf(devices: readonly DeviceDays[], firstDay: string, lastDay: string): { label: string; returns: number }[] {
  const counts = FREQUENCY_BINS.map(() => 0);
  for (const { days } of devices) {
    const sorted = [...new Set(days)].sort();
    for (let i = 1; i < sorted.length; i++) {
      const day = sorted[i] as string;
      if (day < firstDay || day > lastDay) continue;
      const gap = daysBetween(sorted[i - 1] as string, day);
      const bin = FREQUENCY_BINS.findIndex(([, from, to]) => gap >= from && gap <= to);
      if (bin >= 0) counts[bin] = (counts[bin] ?? 0) + 1;
    }
  }
  return FREQUENCY_BINS.map(([label], i) => ({ label, returns: counts[i] ?? 0 }));
}
