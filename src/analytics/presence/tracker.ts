import type { PresenceEvent } from './presence-event.js';
import { emptyPlace, emptyPresenceState, type DeviceRef, type PresenceState, type TrackerSettings } from './presence-state.js';
import { applyToPlace, closeSilent, type PlacedSighting } from './visit.js';

/**
 * The presence tracker, pure: one device at one venue, plain data in and out,
 * `now` passed in. Venue-level visits count every sensor of the venue;
 * zone-level visits only the sensors of that zone. Replaying or duplicating
 * sightings never announces an event twice, and sightings arriving out of
 * order within the allowed lateness give the same visits and events as in
 * order: a visit closes only once `now - latenessSeconds` confirms its silence.
 */

/** Sightings older than this are history, not presence: a replayed import must not fire triggers. */
export const MAX_LATE_SECONDS = 3600;
/** A sensor clock this far ahead is wrong; trusting it would close every visit early. */
export const MAX_AHEAD_SECONDS = 300;

export interface DeviceSightings extends DeviceRef {
  sightings: readonly PlacedSighting[];
}

export interface TrackResult {
  state: PresenceState;
  events: PresenceEvent[];
  /** Sightings that could not count: too old or too far ahead, or within a visit already closed. */
  ignored: number;
}

export interface SweepResult {
  state: PresenceState;
  events: PresenceEvent[];
}

function placeFor(state: PresenceState, zoneId: string): NonNullable<PresenceState['zones'][string]> {
  let place = state.zones[zoneId];
  if (!place) {
    place = emptyPlace();
    state.zones[zoneId] = place;
  }
  return place;
}

/** Closed zones whose late-sighting guard has expired carry no information any more. */
function prune(state: PresenceState, now: number): void {
  for (const [zoneId, place] of Object.entries(state.zones)) {
    if (place.visits.length === 0 && place.closedUntil < now - MAX_LATE_SECONDS) Reflect.deleteProperty(state.zones, zoneId);
  }
}

function applySighting(state: PresenceState, sighting: PlacedSighting, settings: TrackerSettings, watermark: number, events: PresenceEvent[]): boolean {
  // A probe at t shows every place silent since before t - timeout has been left, once no late probe can still fill the gap.
  closeSilent(state, Math.min(sighting.ts, watermark), settings, events);
  if (sighting.ts >= state.highWater) {
    state.highWater = sighting.ts;
    state.visitorId = sighting.visitorId;
  }
  const counted = applyToPlace(state, state.venue, null, sighting, settings, events);
  if (counted && sighting.zoneId !== null) applyToPlace(state, placeFor(state, sighting.zoneId), sighting.zoneId, sighting, settings, events);
  return counted;
}

export function trackSightings(state: PresenceState | undefined, input: DeviceSightings, settings: TrackerSettings, now: number): TrackResult {
  const first = input.sightings[0];
  const next = state ? structuredClone(state) : emptyPresenceState(input, first?.visitorId ?? '');
  const accepted = input.sightings.filter((s) => s.ts >= now - MAX_LATE_SECONDS && s.ts <= now + MAX_AHEAD_SECONDS).sort((a, b) => a.ts - b.ts);
  const events: PresenceEvent[] = [];
  const watermark = now - settings.latenessSeconds;
  let ignored = input.sightings.length - accepted.length;
  for (const sighting of accepted) {
    if (!applySighting(next, sighting, settings, watermark, events)) ignored += 1;
  }
  closeSilent(next, watermark, settings, events);
  prune(next, now);
  return { state: next, events, ignored };
}

/**
 * Departures: nobody sends a probe when they leave, so visits silent past the session timeout (as of the
 * watermark, now - allowed lateness) are closed here.
 */
export function sweepPresence(state: PresenceState, settings: TrackerSettings, now: number): SweepResult {
  const next = structuredClone(state);
  const events: PresenceEvent[] = [];
  closeSilent(next, now - settings.latenessSeconds, settings, events);
  prune(next, now);
  return { state: next, events };
}

/** When (`now`, epoch seconds) a sweep would first close something, or null when no visit is open. */
export function nextDueAt(state: PresenceState, settings: TrackerSettings): number | null {
  const open = [state.venue, ...Object.values(state.zones)].flatMap((place) => (place.visits[0] ? [place.visits[0].lastSeen] : []));
  return open.length === 0 ? null : Math.min(...open) + settings.sessionTimeoutSeconds + settings.latenessSeconds;
}
