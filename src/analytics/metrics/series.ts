import type { Bucket } from './buckets.js';
import type { SessionRecord } from './session.js';

export interface SeriesPoint {
  start: number;
  end: number;
  /** Sessions beginning in the bucket: people crossing the sensor's cordon. */
  footfall: number;
  passersby: number;
  visitors: number;
  /** visitors / (visitors + passers-by); null when nobody came by. */
  captureRate: number | null;
  /** Distinct devices present at any time in the bucket. */
  devices: number;
  /** Mean number of visitors present over the bucket (time-weighted). */
  occupancy: number;
}

/** Index of the last bucket starting at or before t (buckets sorted, contiguous). */
function bucketIndex(buckets: Bucket[], t: number): number {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((buckets[mid] as Bucket).start <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const round = (value: number, places: number): number => Number(value.toFixed(places));

/** Footfall, passers-by, visitors, capture rate, devices and occupancy per bucket. */
export function seriesOf(sessions: readonly SessionRecord[], buckets: readonly Bucket[]): SeriesPoint[] {
  const list = [...buckets];
  const first = list[0];
  const last = list[list.length - 1];
  if (!first || !last) return [];
  const counts = list.map(() => ({ passersby: 0, visitors: 0, presentSeconds: 0, devices: new Set<string>() }));
  for (const session of sessions) {
    if (session.end < first.start || session.start >= last.end) continue;
    const startIndex = bucketIndex(list, Math.max(session.start, first.start));
    if (session.start >= first.start) {
      const bucket = counts[startIndex];
      if (bucket) bucket[session.kind === 'visitor' ? 'visitors' : 'passersby'] += 1;
    }
    for (let i = startIndex; i < list.length; i++) {
      const bucket = list[i] as Bucket;
      if (bucket.start > session.end) break;
      const overlap = Math.min(bucket.end, session.end) - Math.max(bucket.start, session.start);
      const count = counts[i];
      if (!count || overlap < 0) continue;
      count.devices.add(session.device);
      if (session.kind === 'visitor') count.presentSeconds += overlap;
    }
  }
  return list.map((bucket, i) => {
    const count = counts[i] ?? { passersby: 0, visitors: 0, presentSeconds: 0, devices: new Set<string>() };
    const crossing = count.passersby + count.visitors;
    return {
      start: bucket.start,
      end: bucket.end,
      footfall: crossing,
      passersby: count.passersby,
      visitors: count.visitors,
      captureRate: crossing === 0 ? null : round(count.visitors / crossing, 4),
      devices: count.devices.size,
      occupancy: round(count.presentSeconds / (bucket.end - bucket.start), 2),
    };
  });
}

/** Visitors present at `now`: their session was seen within the last `windowSeconds` (Cisco's "right now": 10 min). */
export function occupancyNow(sessions: readonly SessionRecord[], now: number, windowSeconds = 600): number {
  const present = new Set<string>();
  for (const session of sessions) {
    if (session.kind === 'visitor' && session.end >= now - windowSeconds && session.start <= now) present.add(session.device);
  }
  return present.size;
}
