import { lineCrossings, PathBuilder, pointIn, type Point, type Rect } from './geometry.js';
import { carriedDevices, type CarriedDevice, type CarryProfile, type Person, type Role, type Stay } from './population.js';
import type { Rng } from './prng.js';

/** Walking speed: normal around 1.34 m/s (comfortable adult gait), clipped to 0.8-2.0 m/s. */
export function walkingSpeed(rng: Rng, mean = 1.34): number {
  return rng.truncatedNormal(mean, 0.2, 0.8, 2.0);
}

/** Dwell drawn from a log-normal, clipped. */
export function dwell(rng: Rng, medianMinutes: number, sigma: number, minMinutes: number, maxMinutes: number): number {
  return 60 * Math.min(maxMinutes, Math.max(minMinutes, rng.logNormal(medianMinutes, sigma)));
}

/**
 * Moves around inside a room for about `seconds`: a few stops, slow walking
 * between them, facing a random way at each (which turns the body between
 * phone and sensor now and then).
 */
export function browse(b: PathBuilder, rng: Rng, room: Rect, seconds: number, stops?: readonly Point[]): void {
  const end = b.t + seconds;
  const count = Math.max(1, Math.min(8, Math.round(seconds / 180)));
  for (let i = 0; i < count && b.t < end; i++) {
    const spot = stops !== undefined && stops.length > 0 && rng.chance(0.3) ? rng.pick(stops) : pointIn(room, 0.8, () => rng.next());
    b.walkTo(spot.x, spot.y, rng.range(0.5, 0.9));
    const left = end - b.t;
    b.wait(i === count - 1 ? left : Math.min(left, (seconds / count) * rng.range(0.5, 1.5)), rng.range(-Math.PI, Math.PI));
  }
}

/** Walks in through a door point, stays, and walks back out; returns the stay. */
export function visitRoom(b: PathBuilder, rng: Rng, zone: string, room: Rect, door: Point, inside: Point, seconds: number, stops?: readonly Point[]): Stay {
  b.walkTo(door.x, door.y, rng.range(0.9, 1.2));
  const enter = b.t;
  b.walkTo(inside.x, inside.y, 0.9);
  browse(b, rng, room, Math.max(5, seconds - (b.t - enter) - 5), stops);
  b.walkTo(inside.x, inside.y, 0.9);
  b.walkTo(door.x, door.y, 1.0);
  return { zone, enter, exit: b.t };
}

export interface CountLine {
  line: string;
  x: number;
  yMin: number;
  yMax: number;
}

export interface PersonDraft {
  id: string;
  role: Role;
  path: PathBuilder;
  stays: Stay[];
  carry: CarryProfile;
  devices?: CarriedDevice[];
}

export function completePerson(rng: Rng, draft: PersonDraft, lines: readonly CountLine[]): Person {
  const points = draft.path.points;
  const first = points[0];
  if (first === undefined) throw new Error('empty path');
  return {
    id: draft.id,
    role: draft.role,
    path: points,
    appear: first.t,
    disappear: draft.path.t,
    stays: draft.stays,
    crossings: lines.flatMap((l) => lineCrossings(points, l.x, l.yMin, l.yMax).map((t) => ({ line: l.line, t }))),
    devices: draft.devices ?? carriedDevices(rng.fork('devices'), draft.id, draft.carry),
    bodyLoss: rng.range(6, 12),
    screenShare: draft.carry.screenShare,
  };
}

/** A stream over people built up front (staff, fixed devices), in appearance order. */
export function streamOf(people: Person[]): Iterator<Person> {
  return people.sort((a, b) => a.appear - b.appear || (a.id < b.id ? -1 : 1)).values();
}

/** People built one per arrival time; each gets its own forked generator so its randomness is its own. */
export function* arrivalsStream(rng: Rng, prefix: string, times: Iterable<number>, build: (r: Rng, id: string, t: number) => Person): Generator<Person> {
  let n = 0;
  for (const t of times) {
    n += 1;
    const id = `${prefix}-${n}`;
    yield build(rng.fork(id), id, t);
  }
}
