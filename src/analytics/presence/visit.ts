import { calendarDaysBetween } from './local-day.js';
import { isoFromEpochSeconds, presenceEventId, type PresenceEvent, type PresenceEventType } from './presence-event.js';
import type { Place, PresenceState, TrackerSettings, Visit } from './presence-state.js';

/**
 * One place's visit (the venue, or one zone), pure. A visit opens on a
 * sighting, becomes a visitor visit ("entered") once the signal has been
 * strong for `visitorMinDwellSeconds` over a stay of at least
 * `minVisitSeconds`, and ends after `sessionTimeoutSeconds` of silence:
 * `left` if it had entered, `passed_by` otherwise.
 */
export interface PlacedSighting {
  /** Epoch seconds (sensor clock). */
  ts: number;
  rssi: number;
  /** The sensor's zone; null when the sensor has none (venue level only). */
  zoneId: string | null;
  visitorId: string;
}

type EventDetail =
  | { type: 'presence.entered' }
  | { type: 'presence.passed_by' | 'presence.left'; durationSeconds: number }
  | { type: 'presence.dwell'; dwellMinutes: number }
  | { type: 'presence.returned'; daysSinceLastVisit: number };

function presenceEvent(state: PresenceState, zoneId: string | null, visit: Visit, occurredAt: number, detail: EventDetail): PresenceEvent {
  const type: PresenceEventType = detail.type;
  const dwellMinutes = detail.type === 'presence.dwell' ? detail.dwellMinutes : undefined;
  const { orgId, venueId, deviceHash } = state;
  return {
    id: presenceEventId({ orgId, venueId, zoneId, deviceHash, visitAnchor: visit.anchor, type, dwellMinutes }),
    orgId,
    venueId,
    zoneId,
    visitorId: state.visitorId,
    deviceHash,
    occurredAt: isoFromEpochSeconds(occurredAt),
    visitStartedAt: isoFromEpochSeconds(visit.startedAt),
    ...detail,
  };
}

const sortedThresholds = (settings: TrackerSettings): number[] => [...new Set(settings.dwellThresholdsMinutes)].sort((a, b) => a - b);

function qualifies(visit: Visit, settings: TrackerSettings): boolean {
  if (visit.firstStrong === null || visit.lastStrong === null) return false;
  return visit.lastStrong - visit.firstStrong >= settings.visitorMinDwellSeconds && visit.lastSeen - visit.startedAt >= settings.minVisitSeconds;
}

/** Announces what the visit has newly become: entered (and returned, venue level), then each dwell threshold once. */
function advance(state: PresenceState, zoneId: string | null, visit: Visit, settings: TrackerSettings, events: PresenceEvent[]): void {
  // Events are stamped with the latest sighting that proves them, never the processing time.
  const at = visit.lastSeen;
  if (!visit.entered && qualifies(visit, settings)) {
    visit.entered = true;
    events.push(presenceEvent(state, zoneId, visit, at, { type: 'presence.entered' }));
    if (zoneId === null && state.lastVisitEndedAt !== null) {
      const days = calendarDaysBetween(state.lastVisitEndedAt, visit.startedAt, settings.timeZone);
      if (days >= 1) events.push(presenceEvent(state, zoneId, visit, at, { type: 'presence.returned', daysSinceLastVisit: days }));
    }
  }
  if (!visit.entered) return;
  for (const minutes of sortedThresholds(settings)) {
    if (visit.dwellMinutes.includes(minutes) || visit.lastSeen - visit.startedAt < minutes * 60) continue;
    visit.dwellMinutes.push(minutes);
    events.push(presenceEvent(state, zoneId, visit, at, { type: 'presence.dwell', dwellMinutes: minutes }));
  }
}

/** Beyond this many open visits at one place the extra sightings are dropped (bounded state; MAX_LATE_SECONDS keeps it far below). */
const MAX_OPEN_VISITS = 100;

const newVisit = (ts: number): Visit => ({ anchor: ts, startedAt: ts, lastSeen: ts, firstStrong: null, lastStrong: null, entered: false, dwellMinutes: [] });

const minOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** Late sightings filled the gap between two visits: one visit, keeping the identity of the one that announced itself. */
function merge(a: Visit, b: Visit): Visit {
  const identity = a.entered ? a : b.entered ? b : a.anchor <= b.anchor ? a : b;
  return {
    anchor: identity.anchor,
    startedAt: Math.min(a.startedAt, b.startedAt),
    lastSeen: Math.max(a.lastSeen, b.lastSeen),
    firstStrong: minOf(a.firstStrong, b.firstStrong),
    lastStrong: maxOf(a.lastStrong, b.lastStrong),
    entered: a.entered || b.entered,
    dwellMinutes: [...new Set([...a.dwellMinutes, ...b.dwellMinutes])],
  };
}

/** The visit this sighting belongs to (merging the visits it bridges), or undefined when it cannot count. */
function visitFor(place: Place, ts: number, timeout: number): Visit | undefined {
  const near = place.visits.filter((v) => ts >= v.startedAt - timeout && ts <= v.lastSeen + timeout);
  const first = place.visits[0];
  let visit: Visit;
  if (near.length > 0) {
    visit = near.reduce(merge);
  } else {
    // Earlier than a visit already announced, with a gap: too late to tell as a visit of its own.
    if (first && first.entered && ts < first.startedAt) return undefined;
    if (place.visits.length >= MAX_OPEN_VISITS) return undefined;
    visit = newVisit(ts);
  }
  place.visits = [...place.visits.filter((v) => !near.includes(v)), visit].sort((a, b) => a.startedAt - b.startedAt);
  return visit;
}

/**
 * Folds one sighting into a place. False when the sighting cannot count here:
 * it belongs to a visit already closed, or predates one already announced.
 */
export function applyToPlace(
  state: PresenceState,
  place: Place,
  zoneId: string | null,
  sighting: PlacedSighting,
  settings: TrackerSettings,
  events: PresenceEvent[],
): boolean {
  const { ts } = sighting;
  if (ts <= place.closedUntil) return false;
  const visit = visitFor(place, ts, settings.sessionTimeoutSeconds);
  if (!visit) return false;
  visit.startedAt = Math.min(visit.startedAt, ts);
  visit.lastSeen = Math.max(visit.lastSeen, ts);
  if (sighting.rssi >= settings.visitorRssi) {
    visit.firstStrong = minOf(visit.firstStrong, ts);
    visit.lastStrong = maxOf(visit.lastStrong, ts);
  }
  const current = place.visits[0];
  if (current) advance(state, zoneId, current, settings, events);
  return true;
}

/** Ends the place's first visit at its last sighting (`left` or `passed_by`, with its duration); the next one, if any, takes over. */
function closeFirst(state: PresenceState, place: Place, zoneId: string | null, settings: TrackerSettings, events: PresenceEvent[]): void {
  const [visit, ...rest] = place.visits;
  if (!visit) return;
  const durationSeconds = Math.round(visit.lastSeen - visit.startedAt);
  const type = visit.entered ? 'presence.left' : 'presence.passed_by';
  events.push(presenceEvent(state, zoneId, visit, visit.lastSeen, { type, durationSeconds }));
  // A sighting up to here would have kept this visit open: it is late, not a new visit.
  place.closedUntil = visit.lastSeen + settings.sessionTimeoutSeconds;
  place.visits = rest;
  if (zoneId === null && visit.entered) state.lastVisitEndedAt = Math.max(state.lastVisitEndedAt ?? visit.lastSeen, visit.lastSeen);
  const next = rest[0];
  if (next) advance(state, zoneId, next, settings, events);
}

/**
 * Closes, as of `at`, every visit silent for longer than the session timeout: zones first, then the venue.
 * Callers pass at most the watermark (now - allowed lateness), so no sighting still on its way can reopen it.
 */
export function closeSilent(state: PresenceState, at: number, settings: TrackerSettings, events: PresenceEvent[]): void {
  const silent = (place: Place): boolean => {
    const first = place.visits[0];
    return first !== undefined && at - first.lastSeen > settings.sessionTimeoutSeconds;
  };
  for (const zoneId of Object.keys(state.zones).sort()) {
    const place = state.zones[zoneId];
    while (place && silent(place)) closeFirst(state, place, zoneId, settings, events);
  }
  while (silent(state.venue)) closeFirst(state, state.venue, null, settings, events);
}
