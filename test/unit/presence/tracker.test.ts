import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultVenueAnalyticsSettings } from '../../../src/analytics/analytics.settings.js';
import { presenceEventSchema, type PresenceEvent } from '../../../src/analytics/presence/presence-event.js';
import { presenceStateSchema, type PresenceState, type TrackerSettings } from '../../../src/analytics/presence/presence-state.js';
import { MAX_AHEAD_SECONDS, MAX_LATE_SECONDS, nextDueAt, sweepPresence, trackSightings } from '../../../src/analytics/presence/tracker.js';
import type { PlacedSighting } from '../../../src/analytics/presence/visit.js';

const ORG = randomUUID();
const VENUE = randomUUID();
const ZONE_A = randomUUID();
const ZONE_B = randomUUID();
const VISITOR = randomUUID();
const DEVICE = 'ab'.repeat(32);
const ZONES: Record<string, string> = { [ZONE_A]: 'A', [ZONE_B]: 'B' };
/** Monday 2 June 2025, 10:00 UTC. */
const T0 = Date.UTC(2025, 5, 2, 10) / 1000;

const settings = (overrides: Partial<TrackerSettings> = {}): TrackerSettings => ({
  ...defaultVenueAnalyticsSettings(),
  visitorRssi: -70,
  visitorMinDwellSeconds: 120,
  sessionTimeoutSeconds: 300,
  minVisitSeconds: 60,
  dwellThresholdsMinutes: [15, 5],
  timeZone: 'UTC',
  latenessSeconds: 30,
  ...overrides,
});

const at = (offset: number, rssi = -50, zoneId: string | null = null): PlacedSighting => ({ ts: T0 + offset, rssi, zoneId, visitorId: VISITOR });
/** Strong sightings every `step` seconds from `from` to `to` (inclusive). */
const series = (from: number, to: number, step: number, rssi = -50, zoneId: string | null = null): PlacedSighting[] => {
  const out: PlacedSighting[] = [];
  for (let t = from; t <= to; t += step) out.push(at(t, rssi, zoneId));
  return out;
};

function track(state: PresenceState | undefined, sightings: PlacedSighting[], s = settings(), now?: number) {
  const latest = Math.max(...sightings.map((x) => x.ts));
  return trackSightings(state, { orgId: ORG, venueId: VENUE, deviceHash: DEVICE, sightings }, s, now ?? latest);
}

/** Feeds sightings one call each, as separate batches would arrive. */
function feed(state: PresenceState | undefined, sightings: PlacedSighting[], s = settings()) {
  const events: PresenceEvent[] = [];
  let current = state;
  for (const sighting of sightings) {
    const result = track(current, [sighting], s);
    current = result.state;
    events.push(...result.events);
  }
  return { state: current, events };
}

const label = (e: PresenceEvent): string => {
  const where = e.zoneId === null ? '' : `@${ZONES[e.zoneId] ?? e.zoneId}`;
  const detail = e.type === 'presence.dwell' ? `:${e.dwellMinutes}` : e.type === 'presence.returned' ? `:${e.daysSinceLastVisit}` : '';
  return `${e.type.slice('presence.'.length)}${detail}${where}`;
};
const labels = (events: PresenceEvent[]): string[] => events.map(label);
const iso = (offset: number): string => new Date((T0 + offset) * 1000).toISOString();

describe('presence tracker: venue visits', () => {
  it('announces entered once the signal has been strong for the minimum dwell, stamped with that sighting', () => {
    const before = track(undefined, series(0, 90, 30));
    assert.deepEqual(before.events, []);
    const after = track(before.state, [at(120), at(150)]);
    assert.deepEqual(labels(after.events), ['entered']);
    const entered = after.events[0]!;
    assert.equal(entered.occurredAt, iso(120));
    assert.equal(entered.visitStartedAt, iso(0));
    assert.equal(entered.visitorId, VISITOR);
    assert.equal(entered.deviceHash, DEVICE);
    assert.equal(entered.zoneId, null);
  });

  it('announces each dwell threshold once per visit, in order, however the sightings are batched', () => {
    const { events } = feed(undefined, series(0, 20 * 60, 60));
    assert.deepEqual(labels(events), ['entered', 'dwell:5', 'dwell:15']);
    assert.equal(events[1]?.occurredAt, iso(300));
    const oneCall = track(undefined, series(0, 20 * 60, 60));
    assert.deepEqual(
      oneCall.events.map((e) => e.id),
      events.map((e) => e.id),
      'the same visit gives the same ids batched or not',
    );
  });

  it('leaves after silence past the session timeout, with the visit duration, at the last sighting', () => {
    const { state } = track(undefined, series(0, 600, 60));
    // Due once the timeout has passed and sightings up to then can no longer be on their way.
    assert.equal(nextDueAt(state, settings()), T0 + 600 + 300 + 30);
    assert.deepEqual(sweepPresence(state, settings(), T0 + 930).events, [], 'exactly the timeout is not yet silence');
    const swept = sweepPresence(state, settings(), T0 + 931);
    assert.deepEqual(labels(swept.events), ['left']);
    const left = swept.events[0];
    assert.ok(left?.type === 'presence.left');
    assert.equal(left.durationSeconds, 600);
    assert.equal(left.occurredAt, iso(600));
    assert.equal(nextDueAt(swept.state, settings()), null);
    assert.deepEqual(sweepPresence(swept.state, settings(), T0 + 2000).events, [], 'a closed visit is not left twice');
  });

  it('calls a visit with only a weak signal a pass-by, however long it lasted', () => {
    const { state, events } = track(undefined, series(0, 600, 30, -85));
    assert.deepEqual(events, []);
    const swept = sweepPresence(state, settings(), T0 + 1000);
    assert.deepEqual(labels(swept.events), ['passed_by']);
    assert.ok(swept.events[0]?.type === 'presence.passed_by');
    assert.equal(swept.events[0].durationSeconds, 600);
  });

  it('calls a strong but brief visit a pass-by, and needs the minimum visit length too', () => {
    const brief = track(undefined, series(0, 60, 20));
    assert.deepEqual(labels(sweepPresence(brief.state, settings(), T0 + 500).events), ['passed_by']);
    const s = settings({ visitorMinDwellSeconds: 30, minVisitSeconds: 90 });
    assert.deepEqual(track(undefined, series(0, 60, 20), s).events, [], 'strong for 60 s but the stay is under 90 s');
    assert.deepEqual(labels(track(undefined, series(0, 90, 30), s).events), ['entered']);
  });

  it('closes the old visit when the device comes back after the timeout, and the new visit has new ids', () => {
    const first = track(undefined, series(0, 300, 60));
    const second = track(first.state, series(1000, 1300, 60));
    assert.deepEqual(labels(second.events), ['left', 'entered', 'dwell:5']);
    assert.equal(second.events[1]?.visitStartedAt, iso(1000));
    assert.notEqual(first.events[0]?.id, second.events[1].id);
  });
});

describe('presence tracker: returning visitors', () => {
  it('announces returned with the calendar days since the last visit ended', () => {
    const visit1 = track(undefined, series(0, 600, 60));
    const ended = sweepPresence(visit1.state, settings(), T0 + 1000).state;
    assert.equal(ended.lastVisitEndedAt, T0 + 600);
    const twoDaysLater = 2 * 86_400 + 3600;
    const visit2 = track(ended, series(twoDaysLater, twoDaysLater + 300, 60));
    assert.deepEqual(labels(visit2.events), ['entered', 'returned:2', 'dwell:5']);
    assert.equal(visit2.events[1]?.occurredAt, visit2.events[0]?.occurredAt);
  });

  it('does not announce returned for a second visit on the same day, nor after a pass-by', () => {
    const visit1 = sweepPresence(track(undefined, series(0, 600, 60)).state, settings(), T0 + 1000).state;
    assert.deepEqual(labels(track(visit1, series(5000, 5300, 60)).events), ['entered', 'dwell:5']);
    const passBy = sweepPresence(track(undefined, series(0, 600, 60, -90)).state, settings(), T0 + 1000).state;
    assert.equal(passBy.lastVisitEndedAt, null);
    assert.deepEqual(labels(track(passBy, series(86_400, 86_700, 60)).events), ['entered', 'dwell:5']);
  });

  it('counts days in the venue time zone', () => {
    // 22:30 UTC is 23:30 in London (summer time); 23:10 UTC the same UTC day is 00:10 the next London day.
    const evening = Date.UTC(2025, 5, 2, 22, 30) / 1000 - T0;
    const s = (timeZone: string) => settings({ timeZone, sessionTimeoutSeconds: 60, visitorMinDwellSeconds: 30, minVisitSeconds: 0, dwellThresholdsMinutes: [] });
    for (const [timeZone, expected] of [['Europe/London', ['entered', 'returned:1']], ['UTC', ['entered']]] as const) {
      const visit1 = track(undefined, series(evening - 60, evening, 30), s(timeZone));
      const ended = sweepPresence(visit1.state, s(timeZone), T0 + evening + 100).state;
      assert.deepEqual(labels(track(ended, series(evening + 2400, evening + 2460, 30), s(timeZone)).events), expected, timeZone);
    }
  });
});

describe('presence tracker: zones', () => {
  it('tracks a zone visit per sensor zone beside the venue visit, and closes a zone left for another', () => {
    const inA = track(undefined, series(0, 300, 60, -50, ZONE_A));
    assert.deepEqual(labels(inA.events), ['entered', 'entered@A', 'dwell:5', 'dwell:5@A']);
    const inB = track(inA.state, series(360, 1000, 60, -50, ZONE_B));
    // A is silent from 300 s: the B sighting at 660 s (> 300 + 300) shows A was left at 300 s.
    assert.deepEqual(labels(inB.events), ['entered@B', 'left@A', 'dwell:5@B', 'dwell:15']);
    const leftA = inB.events[1];
    assert.ok(leftA?.type === 'presence.left');
    assert.equal(leftA.occurredAt, iso(300));
    assert.equal(leftA.durationSeconds, 300);
    assert.equal(nextDueAt(inB.state, settings()), T0 + 960 + 300 + 30);
    const gone = sweepPresence(inB.state, settings(), T0 + 1400);
    assert.deepEqual(labels(gone.events), ['left@B', 'left'], 'zone before venue');
    assert.ok(gone.events[1]?.type === 'presence.left');
    assert.equal(gone.events[1].durationSeconds, 960);
  });

  it('never announces returned at zone level', () => {
    const day1 = sweepPresence(track(undefined, series(0, 300, 60, -50, ZONE_A)).state, settings(), T0 + 1000).state;
    const day3 = track(day1, series(2 * 86_400, 2 * 86_400 + 200, 60, -50, ZONE_A));
    assert.deepEqual(labels(day3.events), ['entered', 'returned:2', 'entered@A']);
  });
});

describe('presence tracker: out of order, duplicates, stale data', () => {
  const visit = [...series(0, 1000, 20, -50, ZONE_A), ...series(1010, 1200, 20, -80, ZONE_B)];
  const chunks: PlacedSighting[][] = [];
  for (let i = 0; i < visit.length; i += 10) chunks.push(visit.slice(i, i + 10));
  /** Each call is made "now" = just after the newest sighting seen so far, as in real time. */
  function feedChunks(order: PlacedSighting[][], s: TrackerSettings) {
    const events: PresenceEvent[] = [];
    let state: PresenceState | undefined;
    let newest = 0;
    let ignored = 0;
    for (const chunk of order) {
      newest = Math.max(newest, ...chunk.map((x) => x.ts));
      const result = track(state, chunk, s, newest + 5);
      state = result.state;
      events.push(...result.events);
      ignored += result.ignored;
    }
    return { state, events, ignored };
  }

  it('announces the same visits and events whether batches come in order, swapped, reversed or twice, within the allowed lateness', () => {
    // Neighbouring 200 s batches swapped: up to 400 s out of order, so allow 400 s of lateness.
    const s = settings({ latenessSeconds: 400 });
    const inOrder = feedChunks(chunks, s);
    const swapped = chunks.map((_, i) => chunks[i % 2 === 0 ? Math.min(i + 1, chunks.length - 1) : i - 1] ?? []);
    const shuffled = feedChunks([...swapped, ...chunks].map((c) => [...c].reverse()), s);
    assert.deepEqual(labels(shuffled.events).sort(), labels(inOrder.events).sort());
    assert.equal(new Set(shuffled.events.map((e) => e.id)).size, shuffled.events.length, 'no event id twice');
    assert.equal(shuffled.ignored, 0);
    const visitOf = (state: PresenceState | undefined) => state?.venue.visits.map(({ anchor: _anchor, ...v }) => ({ ...v, dwellMinutes: [...v.dwellMinutes].sort() }));
    assert.deepEqual(visitOf(shuffled.state), visitOf(inOrder.state));
    assert.equal(shuffled.state?.venue.visits[0]?.startedAt, T0, 'a late earlier batch moved the start back');
  });

  it('merges a return seen early into the visit once late sightings fill the gap, announcing nothing twice', () => {
    const s = settings({ latenessSeconds: 400 });
    const first = track(undefined, series(0, 200, 20), s, T0 + 205);
    const early = track(first.state, series(600, 700, 20), s, T0 + 705);
    assert.deepEqual(labels(early.events), [], 'the gap is not confirmed yet: a tentative second visit, silent');
    assert.equal(early.state.venue.visits.length, 2);
    const filled = track(early.state, series(220, 580, 20), s, T0 + 710);
    assert.equal(filled.state.venue.visits.length, 1);
    assert.deepEqual(labels(filled.events), ['dwell:5'], 'one visit of 700 s: entered already, now 5 min of dwell');
    assert.equal(filled.state.venue.visits[0]?.anchor, T0, 'the announced visit keeps its identity');
  });

  it('splits visits when a gap is confirmed by the watermark before late sightings come', () => {
    const first = track(undefined, series(0, 200, 20), settings(), T0 + 205);
    const back = track(first.state, series(600, 760, 20), settings(), T0 + 765);
    assert.deepEqual(labels(back.events), ['left', 'entered']);
    const late = track(back.state, series(220, 480, 20), settings(), T0 + 770);
    assert.deepEqual(late.events, []);
    assert.equal(late.ignored, 14, 'too late: their visit was already closed');
  });

  it('ignores a replayed batch entirely', () => {
    const first = track(undefined, visit);
    const replay = track(first.state, visit);
    assert.deepEqual(replay.events, []);
    assert.deepEqual(replay.state, first.state);
  });

  it('ignores late sightings of a visit already closed instead of reopening it', () => {
    const { state } = track(undefined, series(0, 600, 60));
    const closed = sweepPresence(state, settings(), T0 + 950);
    const late = track(closed.state, [at(700), at(800)], settings(), T0 + 960);
    assert.deepEqual(late.events, []);
    assert.equal(late.ignored, 2);
    assert.deepEqual(late.state.venue.visits, []);
  });

  it('ignores sightings far in the past or ahead of now', () => {
    const now = T0 + 10_000;
    const result = track(undefined, [at(10_000 - MAX_LATE_SECONDS - 1), at(10_000 + MAX_AHEAD_SECONDS + 1), at(10_000)], settings(), now);
    assert.equal(result.ignored, 2);
    assert.equal(result.state.venue.visits[0]?.startedAt, now);
  });

  it('does not change the state it was given', () => {
    const { state } = track(undefined, series(0, 100, 20));
    const frozen = structuredClone(state);
    track(state, series(120, 400, 20));
    sweepPresence(state, settings(), T0 + 5000);
    assert.deepEqual(state, frozen);
  });
});

describe('presence tracker: output', () => {
  it('emits events that match the published schema and carry no MAC, and a state that round-trips as JSON', () => {
    const { state, events } = track(undefined, series(0, 1200, 60, -50, ZONE_A));
    const all = [...events, ...sweepPresence(state, settings(), T0 + 5000).events];
    assert.ok(all.length >= 6);
    for (const event of all) {
      assert.deepEqual(presenceEventSchema.parse(event), event);
      assert.doesNotMatch(JSON.stringify(event), /([0-9a-f]{2}:){5}[0-9a-f]{2}/i);
    }
    assert.deepEqual(presenceStateSchema.parse(JSON.parse(JSON.stringify(state))), state);
  });

  it('gives the same event ids for the same input every time', () => {
    const a = track(undefined, visitOf(ZONE_A)).events.map((e) => e.id);
    const b = track(undefined, visitOf(ZONE_A)).events.map((e) => e.id);
    assert.deepEqual(a, b);
    assert.equal(new Set(a).size, a.length);
  });
});

function visitOf(zoneId: string): PlacedSighting[] {
  return series(0, 1200, 60, -50, zoneId);
}
