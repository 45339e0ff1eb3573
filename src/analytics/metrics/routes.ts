import type { SessionRecord } from './session.js';

export interface Transition {
  from: string;
  to: string;
  count: number;
}

/**
 * Ordered moves between zones: consecutive zone sessions of one device in
 * different zones, no further apart than `maxGapSeconds` (a longer gap is a
 * new visit, not a route). Most frequent first.
 */
export function routesOf(zoneSessions: readonly SessionRecord[], maxGapSeconds: number): Transition[] {
  const byDevice = new Map<string, SessionRecord[]>();
  for (const session of zoneSessions) {
    if (session.zoneId === null) continue;
    const list = byDevice.get(session.device);
    if (list) list.push(session);
    else byDevice.set(session.device, [session]);
  }
  const counts = new Map<string, Transition>();
  for (const sessions of byDevice.values()) {
    sessions.sort((a, b) => a.start - b.start);
    for (let i = 1; i < sessions.length; i++) {
      const previous = sessions[i - 1] as SessionRecord;
      const next = sessions[i] as SessionRecord;
      if (previous.zoneId === next.zoneId || next.start - previous.end > maxGapSeconds) continue;
      const from = previous.zoneId as string;
      const to = next.zoneId as string;
      const key = `${from}>${to}`;
      const found = counts.get(key);
      if (found) found.count += 1;
      else counts.set(key, { from, to, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

export interface Intersection {
  venueId: string;
  otherVenueId: string;
  /** Visitors of venueId in the period. */
  visitors: number;
  /** Of those, seen at otherVenueId too. */
  shared: number;
  share: number | null;
}

/** For each ordered pair of venues, the share of the first one's visitors also seen at the second. */
export function intersectionsOf(visitorsByVenue: ReadonlyMap<string, ReadonlySet<string>>): Intersection[] {
  const result: Intersection[] = [];
  for (const [venueId, devices] of visitorsByVenue) {
    for (const [otherVenueId, others] of visitorsByVenue) {
      if (venueId === otherVenueId) continue;
      let shared = 0;
      for (const device of devices) if (others.has(device)) shared += 1;
      result.push({ venueId, otherVenueId, visitors: devices.size, shared, share: devices.size ? Number((shared / devices.size).toFixed(4)) : null });
    }
  }
  return result;
}
