import { durationOf, type SessionRecord } from './session.js';

export interface DwellSummary {
  visits: number;
  /** Seconds; null without visits. */
  median: number | null;
  mean: number | null;
  /** Industry buckets: under 5 min, 5-20 min, 20-60 min, 1-6 h, 6 h and more. */
  buckets: { label: string; from: number; to: number | null; visits: number }[];
}

const DWELL_BUCKETS: [string, number, number | null][] = [
  ['<5 min', 0, 300],
  ['5-20 min', 300, 1200],
  ['20-60 min', 1200, 3600],
  ['1-6 h', 3600, 6 * 3600],
  ['6 h+', 6 * 3600, null],
];

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Dwell time of visitor sessions. */
export function dwellOf(sessions: readonly SessionRecord[]): DwellSummary {
  const durations = sessions.filter((s) => s.kind === 'visitor').map(durationOf).sort((a, b) => a - b);
  const total = durations.reduce((sum, d) => sum + d, 0);
  return {
    visits: durations.length,
    median: median(durations),
    mean: durations.length ? Math.round(total / durations.length) : null,
    buckets: DWELL_BUCKETS.map(([label, from, to]) => ({
      label,
      from,
      to,
      visits: durations.filter((d) => d >= from && (to === null || d < to)).length,
    })),
  };
}

/**
 * Share of entries that bounced: sessions that came inside (some strong
 * signal) but stayed less than `bounceSeconds`. null when nobody entered.
 */
export function bounceRateOf(sessions: readonly SessionRecord[], bounceSeconds: number): { entries: number; bounces: number; rate: number | null } {
  const entered = sessions.filter((s) => s.strongSeconds > 0);
  const bounces = entered.filter((s) => durationOf(s) < bounceSeconds).length;
  return { entries: entered.length, bounces, rate: entered.length ? Number((bounces / entered.length).toFixed(4)) : null };
}
