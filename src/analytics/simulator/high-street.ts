import { PathBuilder, type Point } from './geometry.js';
import {
  BACK_OFFICE, BUS_STOP, CAFE, CAFE_DOOR, CAFE_INSIDE, highStreetWalls, PAVEMENT_LINE, SHOP, SHOP_DOOR, SHOP_INSIDE, SHOP_SENSOR, STREET, TILL, WALL_DB,
} from './high-street.layout.js';
import { arrivalTimes, CARRY_PROFILES, fixedDevice, HIGH_STREET_PROFILE, type Person, type Stay } from './population.js';
import type { Rng } from './prng.js';
import { DEFAULT_RADIO, type Scenario } from './scenario.js';
import { arrivalsStream, completePerson, dwell, streamOf, visitRoom, walkingSpeed, type PersonDraft } from './walks.js';

export const HIGH_STREET = {
  passersPeakPerHour: 1200,
  windowShopperShare: 0.08,
  visitorsPeakPerHour: 70,
  /** Hours of day (UTC) the shop is open. */
  shopHours: [9, 18] as const,
  visitorDwell: { medianMinutes: 12, sigma: 0.7, minMinutes: 1, maxMinutes: 120 },
  staffShifts: [[8.5, 17.5], [8.75, 18.25], [11.5, 18.25]] as const,
  busWaitingPeakPerHour: 40,
  busHours: [6, 23.5] as const,
  busEveryMinutes: 10,
  alightingPerBus: 2,
  cafePeakPerHour: 30,
  cafeHours: [7.5, 19] as const,
  cafeDwell: { medianMinutes: 25, sigma: 0.6, minMinutes: 3, maxMinutes: 150 },
  cafeStaffShifts: [[7, 15], [11.5, 19.5]] as const,
  fixedDevices: [
    { id: 'shop-office-pc', model: 'office-pc', x: BACK_OFFICE.x, y: BACK_OFFICE.y },
    { id: 'shop-printer', model: 'printer', x: 2, y: -13.8 },
    { id: 'shop-window-signage', model: 'signage', x: -3, y: -0.5 },
    { id: 'shop-till', model: 'pos-terminal', x: TILL.x, y: TILL.y },
    { id: 'cafe-till', model: 'pos-terminal', x: 6, y: -10.5 },
    { id: 'cafe-tv', model: 'smart-tv', x: 12.2, y: -6 },
    { id: 'neighbour-office-pc', model: 'office-pc', x: -9, y: -8 },
    { id: 'neighbour-signage', model: 'signage', x: 20, y: -1 },
    { id: 'flat-opposite-tv', model: 'smart-tv', x: -12, y: 16 },
  ],
};

const L = STREET.halfLength;
const LINES = [PAVEMENT_LINE];
const nearY = (r: Rng): number => r.range(STREET.nearPavement[0] + 0.3, STREET.nearPavement[1] - 0.3);
const farY = (r: Rng): number => r.range(STREET.farPavement[0] + 0.3, STREET.farPavement[1] - 0.3);
const dayStart = (t: number): number => Math.floor(t / 86_400) * 86_400;
const FRONT_OF_SHOP: Point = { x: SHOP_DOOR.x, y: 1.2 };

function passerBy(r: Rng, id: string, t: number): Person {
  const near = r.chance(0.55);
  const y = near ? nearY(r) : farY(r);
  const dir = r.chance(0.5) ? 1 : -1;
  // Most walk the whole stretch; some come out of (or go into) a shop or side street on the way.
  const startX = r.chance(0.75) ? -dir * L : r.range(-L + 10, L - 10);
  let endX = r.chance(0.75) ? dir * L : r.range(-L + 10, L - 10);
  if ((endX - startX) * dir < 10) endX = dir * L;
  const speed = walkingSpeed(r);
  const b = new PathBuilder(t, startX, y, dir > 0 ? 0 : Math.PI);
  const stopX = r.range(SHOP.x0 + 0.5, SHOP.x1 - 0.5);
  if (near && r.chance(HIGH_STREET.windowShopperShare) && (stopX - startX) * dir > 0 && (endX - stopX) * dir > 0) {
    b.walkTo(stopX, 1.0, speed).wait(dwell(r, 0.4, 0.8, 0.1, 5), -Math.PI / 2);
  }
  b.walkTo(endX, y, speed);
  return completePerson(r, { id, role: 'passer-by', path: b, stays: [], carry: CARRY_PROFILES.passerBy }, LINES);
}

/** From somewhere on the street to the front of a door (crossing the road at the crossing when on the far side). */
function approach(r: Rng, t: number, target: Point, speed: number): PathBuilder {
  const side = r.chance(0.5) ? -1 : 1;
  if (r.chance(0.3)) {
    const b = new PathBuilder(t, side * r.range(20, L), farY(r));
    b.walkTo(STREET.crossingX, b.last.y, speed).walkTo(STREET.crossingX, nearY(r), speed);
    return b.walkTo(target.x, target.y, speed);
  }
  return new PathBuilder(t, target.x + side * r.range(15, L - 10), nearY(r)).walkTo(target.x, target.y, speed);
}

function leave(r: Rng, b: PathBuilder, speed: number): void {
  const x = r.chance(0.8) ? (r.chance(0.5) ? -L : L) : r.range(-L + 10, L - 10);
  b.walkTo(x, nearY(r), speed);
}

/** Stay length, cut short at closing time (plus a few minutes to pay and go). */
function untilClosing(r: Rng, t: number, seconds: number, closeHour: number): number {
  const close = dayStart(t) + closeHour * 3600 + r.range(0, 600);
  return Math.max(60, Math.min(seconds, close - t));
}

function visitor(r: Rng, id: string, t: number): Person {
  const speed = walkingSpeed(r);
  const b = approach(r, t, FRONT_OF_SHOP, speed);
  const d = HIGH_STREET.visitorDwell;
  const seconds = untilClosing(r, b.t, dwell(r, d.medianMinutes, d.sigma, d.minMinutes, d.maxMinutes), HIGH_STREET.shopHours[1]);
  const stay = visitRoom(b, r, 'shop', SHOP, SHOP_DOOR, SHOP_INSIDE, seconds, [TILL]);
  b.walkTo(FRONT_OF_SHOP.x, FRONT_OF_SHOP.y, speed);
  leave(r, b, speed);
  return completePerson(r, { id, role: 'visitor', path: b, stays: [stay], carry: CARRY_PROFILES.visitor }, LINES);
}

function cafeCustomer(r: Rng, id: string, t: number): Person {
  const speed = walkingSpeed(r);
  const b = approach(r, t, { x: CAFE_DOOR.x, y: 1.2 }, speed);
  const d = HIGH_STREET.cafeDwell;
  const seconds = untilClosing(r, b.t, dwell(r, d.medianMinutes, d.sigma, d.minMinutes, d.maxMinutes), HIGH_STREET.cafeHours[1]);
  const stay = visitRoom(b, r, 'cafe', CAFE, CAFE_DOOR, CAFE_INSIDE, seconds);
  b.walkTo(CAFE_DOOR.x, 1.2, speed);
  leave(r, b, speed);
  return completePerson(r, { id, role: 'background', path: b, stays: [stay], carry: CARRY_PROFILES.seated }, LINES);
}

/** A working day: in before opening, a lunch break out (the café or down the street), out after closing. */
function worker(r: Rng, id: string, day: number, shift: readonly [number, number], place: 'shop' | 'cafe'): Person {
  const speed = walkingSpeed(r);
  const start = day + shift[0] * 3600 + r.normal(0, 300);
  const end = day + shift[1] * 3600 + r.normal(0, 300);
  const room = place === 'shop' ? { rect: SHOP, door: SHOP_DOOR, inside: SHOP_INSIDE, stops: [TILL, BACK_OFFICE] } : { rect: CAFE, door: CAFE_DOOR, inside: CAFE_INSIDE, stops: [] };
  const front = { x: room.door.x, y: 1.2 };
  const x0 = (r.chance(0.5) ? -1 : 1) * r.range(30, L);
  const b = new PathBuilder(start - Math.abs(x0 - front.x) / speed, x0, nearY(r)).walkTo(front.x, front.y, speed);
  const stays: Stay[] = [];
  if (end - start > 6 * 3600) {
    const lunch = day + r.range(12, 14) * 3600;
    stays.push(visitRoom(b, r, place, room.rect, room.door, room.inside, lunch - b.t, room.stops));
    b.walkTo(front.x, front.y, speed);
    if (place === 'shop' && r.chance(0.5)) {
      stays.push(visitRoom(b, r, 'cafe', CAFE, CAFE_DOOR, CAFE_INSIDE, r.range(20, 35) * 60));
    } else {
      const away = front.x + (r.chance(0.5) ? -1 : 1) * r.range(40, 100);
      b.walkTo(away, nearY(r), speed).wait(r.range(15, 30) * 60).walkTo(front.x, front.y, speed);
    }
    b.walkTo(front.x, front.y, speed);
  }
  stays.push(visitRoom(b, r, place, room.rect, room.door, room.inside, end - b.t, room.stops));
  b.walkTo(front.x, front.y, speed);
  leave(r, b, speed);
  const draft: PersonDraft = { id, role: place === 'shop' ? 'staff' : 'background', path: b, stays, carry: CARRY_PROFILES.staff };
  return completePerson(r, draft, LINES);
}

function busStreams(rng: Rng, from: number, to: number, scale: number): Iterator<Person>[] {
  const every = HIGH_STREET.busEveryMinutes * 60;
  const offset = rng.fork('bus-timetable').int(every);
  const [open, close] = HIGH_STREET.busHours;
  const departures: number[] = [];
  for (let t = Math.ceil((from - offset) / every) * every + offset; t < to + 3600; t += every) {
    const h = (t - dayStart(t)) / 3600;
    if (h >= open && h < close) departures.push(t);
  }
  const nextBus = (t: number): number => departures.find((d) => d > t + 20) ?? t + every;
  const waiting = arrivalsStream(rng, 'bus', arrivalTimes(rng.fork('bus', 'times'), { peakPerHour: HIGH_STREET.busWaitingPeakPerHour * scale, profile: HIGH_STREET_PROFILE, open: HIGH_STREET.busHours }, from, to), (r, id, t) => {
    const b = new PathBuilder(t, BUS_STOP.x + (r.chance(0.5) ? -1 : 1) * r.range(15, L - 30), nearY(r));
    b.walkTo(BUS_STOP.x + r.range(-2.5, 2.5), r.range(2.2, 3.3), walkingSpeed(r));
    b.wait(nextBus(b.t) - b.t, r.range(-Math.PI, Math.PI)).walkTo(BUS_STOP.x, 4.5, 1).walkTo(L, 7, 8);
    return completePerson(r, { id, role: 'background', path: b, stays: [], carry: CARRY_PROFILES.waiting }, LINES);
  });
  const alightRng = rng.fork('alight', 'counts');
  const alightTimes = departures.filter((t) => t >= from && t < to).flatMap((t) => Array<number>(alightRng.poisson(HIGH_STREET.alightingPerBus * scale)).fill(t));
  const alighting = arrivalsStream(rng, 'alight', alightTimes, (r, id, t) => {
    const b = new PathBuilder(t, BUS_STOP.x + r.range(-1, 1), 4.0);
    leave(r, b, walkingSpeed(r));
    return completePerson(r, { id, role: 'passer-by', path: b, stays: [], carry: CARRY_PROFILES.passerBy }, LINES);
  });
  return [waiting, alighting];
}

function workers(rng: Rng, from: number, to: number): Person[] {
  const people: Person[] = [];
  for (let day = dayStart(from) - 86_400; day < to; day += 86_400) {
    const date = new Date(day * 1000).toISOString().slice(0, 10);
    HIGH_STREET.staffShifts.forEach((shift, i) => people.push(worker(rng.fork('staff', date, i), `staff-${date}-${i + 1}`, day, shift, 'shop')));
    HIGH_STREET.cafeStaffShifts.forEach((shift, i) => people.push(worker(rng.fork('cafe-staff', date, i), `cafe-staff-${date}-${i + 1}`, day, shift, 'cafe')));
  }
  return people.filter((p) => p.disappear > from && p.appear < to);
}

function fixedDevices(rng: Rng, from: number, to: number): Person[] {
  return HIGH_STREET.fixedDevices.map(({ id, model, x, y }) => {
    const r = rng.fork(id);
    const b = new PathBuilder(from, x, y, r.range(-Math.PI, Math.PI)).wait(to - from);
    return completePerson(r, { id, role: 'static', path: b, stays: [], carry: CARRY_PROFILES.staff, devices: [fixedDevice(r, `${id}/1`, model)] }, []);
  });
}

export function highStreetScenario(): Scenario {
  const hs = HIGH_STREET;
  return {
    name: 'high-street',
    summary: 'One shop front with a sensor inside near the door, a busy pavement both ways, a café next door and a bus stop outside.',
    venueZone: 'shop',
    zones: [],
    countLines: [PAVEMENT_LINE.line],
    sensors: [SHOP_SENSOR],
    walls: highStreetWalls(),
    radio: { ...DEFAULT_RADIO, pathLossExponent: 2.9 },
    parameters: { ...hs, street: STREET, shop: SHOP, shopDoor: SHOP_DOOR, cafe: CAFE, busStop: BUS_STOP, pavementLine: PAVEMENT_LINE, wallsDb: WALL_DB, profile: HIGH_STREET_PROFILE },
    population(rng, from, to, scale) {
      const at = (name: string, peakPerHour: number, open?: readonly [number, number]) =>
        arrivalTimes(rng.fork(name, 'times'), { peakPerHour: peakPerHour * scale, profile: HIGH_STREET_PROFILE, ...(open ? { open } : {}) }, from, to);
      return [
        arrivalsStream(rng, 'pass', at('pass', hs.passersPeakPerHour), passerBy),
        arrivalsStream(rng, 'visit', at('visit', hs.visitorsPeakPerHour, [hs.shopHours[0], hs.shopHours[1] - 0.1]), visitor),
        arrivalsStream(rng, 'cafe', at('cafe', hs.cafePeakPerHour, [hs.cafeHours[0], hs.cafeHours[1] - 0.2]), cafeCustomer),
        ...busStreams(rng, from, to, scale),
        streamOf(workers(rng, from, to)),
        streamOf(fixedDevices(rng, from, to)),
      ];
    },
  };
}
