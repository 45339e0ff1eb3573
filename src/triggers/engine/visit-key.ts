import { localDayNumber } from '../../analytics/presence/local-day.js';
import type { TriggerEvent } from '../trigger-event.js';

/**
 * Which events count a visit in the visit statistics, and whether one is a new
 * visit (pure). Presence events carry their visit's start, so a visit's
 * entered and returned count once; a portal login without one counts once per
 * local day, and not at all on a day a presence visit was already counted.
 */
export const VISIT_EVENT_TYPES: ReadonlySet<string> = new Set(['presence.entered', 'presence.returned', 'portal.login']);

/** Visits are per venue: zone-level presence events (each zone has visits of its own) never count one. */
export const countsVisit = (event: TriggerEvent): boolean => VISIT_EVENT_TYPES.has(event.type) && event.zoneId === null && event.visitorId !== null;

export interface VisitMark {
  key: string;
  at: Date;
}

export interface LastVisit {
  key: string;
  at: Date;
}

const DAY_KEY = 'day:';

/** The visit an event about a known visitor belongs to (only countsVisit events count one). */
export function visitMark(event: TriggerEvent, timeZone: string): VisitMark | undefined {
  if (event.visitorId === null) return undefined;
  if (event.visitStartedAt !== undefined) return { key: `visit:${new Date(event.visitStartedAt).toISOString()}`, at: new Date(event.visitStartedAt) };
  const at = new Date(event.occurredAt);
  return { key: `${DAY_KEY}${localDayNumber(at.getTime() / 1000, timeZone)}`, at };
}

/** A new visit: another key, later than the last one counted, and not the same local day when either is a day key. */
export function isNewVisit(mark: VisitMark, last: LastVisit | undefined, timeZone: string): boolean {
  if (!last) return true;
  if (mark.key === last.key || mark.at.getTime() <= last.at.getTime()) return false;
  if (mark.key.startsWith(DAY_KEY) || last.key.startsWith(DAY_KEY)) {
    return localDayNumber(mark.at.getTime() / 1000, timeZone) !== localDayNumber(last.at.getTime() / 1000, timeZone);
  }
  return true;
}
