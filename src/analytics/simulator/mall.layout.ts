import { roomWalls, type Point, type Rect, type Wall } from './geometry.js';
import type { SensorSpec } from './scenario.js';

/**
 * A one-level mall: a corridor along x (0..200 m, y in [-4, 4]) with entrances
 * at both ends and units on both sides; five of them are monitored zones with
 * a sensor inside near their door, and the entrance has one of its own.
 */
export const CORRIDOR = { x0: 0, x1: 200, halfWidth: 4 };
export const ENTRANCES: readonly Point[] = [{ x: CORRIDOR.x0, y: 0 }, { x: CORRIDOR.x1, y: 0 }];

export interface MallZone {
  id: string;
  side: 'north' | 'south';
  x0: number;
  x1: number;
  depth: number;
  doorX: number;
  dwell: { medianMinutes: number; sigma: number };
  /** Relative chance that a shopper visits it. */
  popularity: number;
  staff: number;
  /** Loss of its front to the corridor, dB (an open food court has almost none). */
  frontDb: number;
  fixed: readonly string[];
  sensor: { id: string; radios: SensorSpec['radios'] };
}

export const MALL_ZONES: readonly MallZone[] = [
  {
    id: 'fashion', side: 'north', x0: 20, x1: 45, depth: 20, doorX: 32, dwell: { medianMinutes: 12, sigma: 0.7 }, popularity: 0.2, staff: 4, frontDb: 4,
    fixed: ['office-pc', 'pos-terminal', 'signage'], sensor: { id: 'fashion-door', radios: [{ channels: [6], dwell: 1 }, { channels: [44], dwell: 1 }] },
  },
  {
    id: 'electronics', side: 'south', x0: 50, x1: 70, depth: 20, doorX: 60, dwell: { medianMinutes: 10, sigma: 0.7 }, popularity: 0.15, staff: 4, frontDb: 4,
    fixed: ['office-pc', 'pos-terminal', 'signage', 'smart-tv', 'smart-tv'], sensor: { id: 'electronics-door', radios: [{ channels: [11], dwell: 1 }, { channels: [149], dwell: 1 }] },
  },
  {
    id: 'food-court', side: 'north', x0: 90, x1: 130, depth: 30, doorX: 110, dwell: { medianMinutes: 25, sigma: 0.5 }, popularity: 0.3, staff: 6, frontDb: 1,
    fixed: ['pos-terminal', 'pos-terminal', 'smart-tv'], sensor: { id: 'food-court', radios: [{ channels: [1, 6, 11], dwell: 0.3 }, { channels: [36], dwell: 1 }] },
  },
  {
    id: 'pharmacy', side: 'south', x0: 140, x1: 155, depth: 14, doorX: 147, dwell: { medianMinutes: 5, sigma: 0.6 }, popularity: 0.1, staff: 2, frontDb: 4,
    fixed: ['office-pc', 'pos-terminal', 'printer'], sensor: { id: 'pharmacy-door', radios: [{ channels: [6], dwell: 1 }, { channels: [40], dwell: 1 }] },
  },
  {
    id: 'department-store', side: 'north', x0: 165, x1: 200, depth: 30, doorX: 182, dwell: { medianMinutes: 18, sigma: 0.7 }, popularity: 0.25, staff: 6, frontDb: 4,
    fixed: ['office-pc', 'printer', 'pos-terminal', 'signage'], sensor: { id: 'department-store-door', radios: [{ channels: [11], dwell: 1 }, { channels: [48], dwell: 1 }] },
  },
];

export const ENTRANCE_SENSOR: SensorSpec = {
  id: 'mall-entrance', zone: 'mall', x: 6, y: 3.6, height: 3,
  radios: [{ channels: [1], dwell: 1 }, { channels: [36], dwell: 1 }],
};

export const WALL_DB = { party: 8, rear: 12, entrance: 4, unitFront: 4 };

export function zoneRect(zone: MallZone): Rect {
  const h = CORRIDOR.halfWidth;
  return zone.side === 'north' ? { x0: zone.x0, y0: h, x1: zone.x1, y1: h + zone.depth } : { x0: zone.x0, y0: -h - zone.depth, x1: zone.x1, y1: -h };
}

/** The point of the zone's doorway on the corridor. */
export function zoneDoor(zone: MallZone): Point {
  return { x: zone.doorX, y: zone.side === 'north' ? CORRIDOR.halfWidth : -CORRIDOR.halfWidth };
}

/** Just inside the door. */
export function zoneInside(zone: MallZone): Point {
  const door = zoneDoor(zone);
  return { x: door.x, y: door.y + (zone.side === 'north' ? 1.5 : -1.5) };
}

export function zoneSensor(zone: MallZone): SensorSpec {
  const door = zoneDoor(zone);
  return { id: zone.sensor.id, zone: zone.id, x: door.x + 1.5, y: door.y + (zone.side === 'north' ? 2 : -2), height: 2.5, radios: zone.sensor.radios };
}

/** Zone rooms, unmonitored units in between (party walls every 10 m), glazed fronts, entrance doors. */
export function mallWalls(): Wall[] {
  const h = CORRIDOR.halfWidth;
  const walls: Wall[] = [];
  for (const zone of MALL_ZONES) walls.push(...roomWalls(zoneRect(zone), WALL_DB.party, { y: zone.side === 'north' ? h : -h, loss: zone.frontDb }));
  for (const side of ['north', 'south'] as const) {
    const sign = side === 'north' ? 1 : -1;
    const taken = MALL_ZONES.filter((z) => z.side === side);
    for (let x = CORRIDOR.x0; x < CORRIDOR.x1; x += 10) {
      const end = Math.min(x + 10, CORRIDOR.x1);
      if (taken.some((z) => x < z.x1 && end > z.x0)) continue;
      walls.push({ x0: x, y0: sign * h, x1: end, y1: sign * h, loss: WALL_DB.unitFront });
      walls.push({ x0: end, y0: sign * h, x1: end, y1: sign * (h + 20), loss: WALL_DB.party });
      walls.push({ x0: x, y0: sign * (h + 20), x1: end, y1: sign * (h + 20), loss: WALL_DB.rear });
    }
  }
  walls.push({ x0: CORRIDOR.x0, y0: -h, x1: CORRIDOR.x0, y1: h, loss: WALL_DB.entrance });
  walls.push({ x0: CORRIDOR.x1, y0: -h, x1: CORRIDOR.x1, y1: h, loss: WALL_DB.entrance });
  return walls;
}
