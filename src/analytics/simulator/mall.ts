import { PathBuilder, pointIn, type Point } from './geometry.js';
import { CORRIDOR, ENTRANCE_SENSOR, ENTRANCES, MALL_ZONES, mallWalls, WALL_DB, zoneDoor, zoneInside, zoneRect, zoneSensor, type MallZone } from './mall.layout.js';
import { arrivalTimes, CARRY_PROFILES, fixedDevice, MALL_PROFILE, type Person, type Stay } from './population.js';
import type { Rng } from './prng.js';
import { DEFAULT_RADIO, type Scenario } from './scenario.js';
import { arrivalsStream, completePerson, dwell, streamOf, visitRoom, walkingSpeed } from './walks.js';

export const MALL = {
  shoppersPeakPerHour: 700,
  /** Hours of day (UTC) the mall is open; arrivals stop half an hour before closing. */
  hours: [9, 21] as const,
  westEntranceShare: 0.65,
  /** Share who only walk the corridor (through, or window shopping) and visit no zone. */
  corridorOnlyShare: 0.15,
  /** Zones visited by the others: 1 + Poisson(mean), at most 5. */
  extraZonesMean: 1.0,
  windowStopShare: 0.3,
  sameEntranceShare: 0.7,
  walkingSpeedMean: 1.15,
  staffShifts: [[8.5, 17], [12.5, 21.25]] as const,
  guards: 2,
  corridorSignageEvery: 40,
};

const dayStart = (t: number): number => Math.floor(t / 86_400) * 86_400;
const lane = (r: Rng): number => r.range(-CORRIDOR.halfWidth + 0.8, CORRIDOR.halfWidth - 0.8);
const outside = (r: Rng, entrance: Point): Point => ({ x: entrance.x + (entrance.x === CORRIDOR.x0 ? -1 : 1) * r.range(20, 60), y: r.range(-20, 20) });

/** Along the corridor to x, sometimes stopping at a shop window on the way. */
function corridorWalk(b: PathBuilder, r: Rng, x: number, speed: number): void {
  if (r.chance(MALL.windowStopShare)) {
    const stopX = b.last.x + (x - b.last.x) * r.range(0.2, 0.8);
    const side = r.chance(0.5) ? 1 : -1;
    b.walkTo(stopX, side * (CORRIDOR.halfWidth - 0.6), speed).wait(r.range(20, 120), side * (Math.PI / 2));
  }
  b.walkTo(x, lane(r), speed);
}

function zoneVisit(b: PathBuilder, r: Rng, zone: MallZone, seconds: number, speed: number): Stay {
  const door = zoneDoor(zone);
  corridorWalk(b, r, door.x, speed);
  return visitRoom(b, r, zone.id, zoneRect(zone), door, zoneInside(zone), seconds);
}

function pickZones(r: Rng): MallZone[] {
  if (r.chance(MALL.corridorOnlyShare)) return [];
  const count = Math.min(5, 1 + r.poisson(MALL.extraZonesMean));
  const left = [...MALL_ZONES];
  const picked: MallZone[] = [];
  while (picked.length < count && left.length > 0) {
    const zone = r.weighted(left, (z) => z.popularity);
    picked.push(zone);
    left.splice(left.indexOf(zone), 1);
  }
  return picked;
}

function shopper(r: Rng, id: string, t: number): Person {
  const speed = walkingSpeed(r, MALL.walkingSpeedMean);
  const entrance = ENTRANCES[r.chance(MALL.westEntranceShare) ? 0 : 1] as Point;
  const start = outside(r, entrance);
  const b = new PathBuilder(t, start.x, start.y).walkTo(entrance.x, entrance.y, speed);
  const stays: Stay[] = [];
  const enter = b.t;
  const zones = pickZones(r);
  // Half walk the shops in corridor order, half in the order they think of them: both give routes.
  if (r.chance(0.5)) zones.sort((a, z) => Math.abs(a.doorX - entrance.x) - Math.abs(z.doorX - entrance.x));
  const close = dayStart(t) + MALL.hours[1] * 3600 + r.range(0, 900);
  for (const zone of zones) {
    const seconds = Math.min(dwell(r, zone.dwell.medianMinutes, zone.dwell.sigma, 0.5, 180), close - b.t - 120);
    if (seconds < 30) break;
    stays.push(zoneVisit(b, r, zone, seconds, speed));
  }
  const other = ENTRANCES[entrance === ENTRANCES[0] ? 1 : 0] as Point;
  // Corridor-only: half walk through, half wander and come back out the way they came.
  const exit = r.chance(zones.length === 0 ? 0.5 : MALL.sameEntranceShare) ? entrance : other;
  if (zones.length === 0 && exit === entrance) corridorWalk(b, r, r.range(CORRIDOR.x0 + 30, CORRIDOR.x1 - 30), speed);
  corridorWalk(b, r, exit.x === CORRIDOR.x0 ? CORRIDOR.x0 + 3 : CORRIDOR.x1 - 3, speed);
  b.walkTo(exit.x, exit.y, speed);
  stays.unshift({ zone: 'mall', enter, exit: b.t });
  const away = outside(r, exit);
  b.walkTo(away.x, away.y, speed);
  return completePerson(r, { id, role: 'visitor', path: b, stays, carry: CARRY_PROFILES.visitor }, []);
}

/** Shop staff: in through the west entrance, a lunch break in the food court on long shifts. */
function shopWorker(r: Rng, id: string, zone: MallZone | undefined, day: number, shift: readonly [number, number]): Person {
  const speed = walkingSpeed(r, MALL.walkingSpeedMean);
  const start = day + shift[0] * 3600 + r.normal(0, 300);
  const end = day + shift[1] * 3600 + r.normal(0, 300);
  const entrance = ENTRANCES[0] as Point;
  const from = outside(r, entrance);
  const b = new PathBuilder(start - 90, from.x, from.y).walkTo(entrance.x, entrance.y, speed);
  const enter = b.t;
  const stays: Stay[] = [];
  const foodCourt = MALL_ZONES.find((z) => z.id === 'food-court');
  if (zone === undefined) {
    // A guard: slow rounds of the corridor with pauses.
    while (b.t < end - 300) corridorWalk(b.wait(r.range(60, 600)), r, r.range(CORRIDOR.x0 + 5, CORRIDOR.x1 - 5), 0.8);
  } else if (end - start > 6 * 3600 && foodCourt !== undefined && foodCourt !== zone) {
    const lunch = day + r.range(12, 14.5) * 3600;
    stays.push(zoneVisit(b, r, zone, lunch - b.t, speed));
    stays.push(zoneVisit(b, r, foodCourt, r.range(20, 40) * 60, speed));
    stays.push(zoneVisit(b, r, zone, end - b.t, speed));
  } else {
    stays.push(zoneVisit(b, r, zone, end - b.t, speed));
  }
  corridorWalk(b, r, entrance.x + 3, speed);
  b.walkTo(entrance.x, entrance.y, speed);
  stays.unshift({ zone: 'mall', enter, exit: b.t });
  b.walkTo(from.x, from.y, speed);
  return completePerson(r, { id, role: 'staff', path: b, stays, carry: CARRY_PROFILES.staff }, []);
}

function workers(rng: Rng, from: number, to: number): Person[] {
  const people: Person[] = [];
  for (let day = dayStart(from) - 86_400; day < to; day += 86_400) {
    const date = new Date(day * 1000).toISOString().slice(0, 10);
    for (const zone of MALL_ZONES) {
      for (let i = 0; i < zone.staff; i++) {
        const shift = MALL.staffShifts[i % MALL.staffShifts.length] ?? MALL.staffShifts[0];
        people.push(shopWorker(rng.fork('staff', date, zone.id, i), `staff-${date}-${zone.id}-${i + 1}`, zone, day, shift));
      }
    }
    for (let i = 0; i < MALL.guards; i++) {
      people.push(shopWorker(rng.fork('guard', date, i), `staff-${date}-guard-${i + 1}`, undefined, day, [8.5, 21.5]));
    }
  }
  return people.filter((p) => p.disappear > from && p.appear < to);
}

function fixedDevices(rng: Rng, from: number, to: number): Person[] {
  const spots: { id: string; model: string; at: Point }[] = [];
  for (const zone of MALL_ZONES) {
    zone.fixed.forEach((model, i) => {
      const r = rng.fork('fixed-spot', zone.id, i);
      spots.push({ id: `${zone.id}-${model}-${i + 1}`, model, at: pointIn(zoneRect(zone), 1, () => r.next()) });
    });
  }
  for (let x = CORRIDOR.x0 + 20, i = 1; x < CORRIDOR.x1; x += MALL.corridorSignageEvery, i++) {
    spots.push({ id: `corridor-signage-${i}`, model: 'signage', at: { x, y: (i % 2 === 0 ? 1 : -1) * (CORRIDOR.halfWidth - 0.3) } });
  }
  return spots.map(({ id, model, at }) => {
    const r = rng.fork(id);
    const b = new PathBuilder(from, at.x, at.y, r.range(-Math.PI, Math.PI)).wait(to - from);
    return completePerson(r, { id, role: 'static', path: b, stays: [], carry: CARRY_PROFILES.staff, devices: [fixedDevice(r, `${id}/1`, model)] }, []);
  });
}

export function mallScenario(): Scenario {
  return {
    name: 'mall',
    summary: 'A mall corridor with two entrances and five monitored zones (sensor inside each door) plus one at the west entrance.',
    venueZone: 'mall',
    zones: MALL_ZONES.map((z) => z.id),
    countLines: [],
    sensors: [ENTRANCE_SENSOR, ...MALL_ZONES.map(zoneSensor)],
    walls: mallWalls(),
    radio: { ...DEFAULT_RADIO, pathLossExponent: 2.7 },
    parameters: { ...MALL, corridor: CORRIDOR, entrances: ENTRANCES, zones: MALL_ZONES, wallsDb: WALL_DB, profile: MALL_PROFILE },
    population(rng, from, to, scale) {
      const times = arrivalTimes(rng.fork('shop', 'times'), { peakPerHour: MALL.shoppersPeakPerHour * scale, profile: MALL_PROFILE, open: [MALL.hours[0], MALL.hours[1] - 0.5] }, from, to);
      return [arrivalsStream(rng, 'shop', times, shopper), streamOf(workers(rng, from, to)), streamOf(fixedDevices(rng, from, to))];
    },
  };
}
