import { roomWalls, type Point, type Rect, type Wall } from './geometry.js';
import type { SensorSpec } from './scenario.js';

/**
 * The high street, in metres: x runs along the street (the shop door is near
 * x = 0), y across it. The shop row's frontage is y = 0 (units behind it, y < 0),
 * then the near pavement, the road and the far pavement.
 */
export const STREET = {
  halfLength: 150,
  nearPavement: [0.5, 3.5] as const,
  road: [3.5, 10.5] as const,
  farPavement: [10.5, 13.5] as const,
  /** Pedestrian crossing used to reach the shop from the far side. */
  crossingX: -25,
  unitDepth: 15,
  unitWidth: 7.5,
};

export const SHOP: Rect = { x0: -4, y0: -15, x1: 4, y1: 0 };
export const SHOP_DOOR: Point = { x: 1.5, y: 0 };
export const SHOP_INSIDE: Point = { x: 1.5, y: -1.5 };
export const TILL: Point = { x: -2.5, y: -2.5 };
export const BACK_OFFICE: Point = { x: 0, y: -13.5 };

export const CAFE: Rect = { x0: 4, y0: -12, x1: 13, y1: 0 };
export const CAFE_DOOR: Point = { x: 8.5, y: 0 };
export const CAFE_INSIDE: Point = { x: 8.5, y: -1.5 };

export const BUS_STOP: Point = { x: 20, y: 3.0 };

/** The pavement count line: a manual surveyor standing at the shop front counts people passing x = 0. */
export const PAVEMENT_LINE = { line: 'pavement', x: 0, yMin: 0.4, yMax: STREET.farPavement[1] + 0.1 };

export const SHOP_SENSOR: SensorSpec = {
  id: 'shop-door',
  zone: 'shop',
  x: 2.5,
  y: -1.2,
  height: 2.3,
  // 2.4 GHz radio hopping the three non-overlapping channels, 5 GHz radio fixed on 36.
  radios: [
    { channels: [1, 6, 11], dwell: 0.3 },
    { channels: [36], dwell: 1 },
  ],
  // The glazed front: along the street the signal leaves through the window rather than the party walls.
  apertures: [{ x: -3.5, y: 0.2 }, { x: 0, y: 0.2 }, { x: 3.5, y: 0.2 }],
};

/** Losses (dB) at 2.4 GHz: glazed shop fronts, brick party walls, rear walls. */
export const WALL_DB = { glass: 4, party: 8, rear: 10 };

/** The row of units along y < 0: the shop and the café next door are two of them. */
export function highStreetWalls(): Wall[] {
  const { halfLength, unitDepth, unitWidth } = STREET;
  const walls: Wall[] = [
    ...roomWalls(SHOP, WALL_DB.party, { y: 0, loss: WALL_DB.glass }),
    // The café shares the shop's party wall at x = 4: count it once.
    ...roomWalls(CAFE, WALL_DB.party, { y: 0, loss: WALL_DB.glass }).filter((w) => w.x0 !== SHOP.x1 || w.x1 !== SHOP.x1),
  ];
  // Other units: frontage glass and party walls every unitWidth metres on both sides.
  const edges: number[] = [];
  for (let x = SHOP.x0; x > -halfLength; x -= unitWidth) edges.push(x - unitWidth);
  for (let x = CAFE.x1; x < halfLength; x += unitWidth) edges.push(x + unitWidth);
  for (const x of edges) walls.push({ x0: x, y0: -unitDepth, x1: x, y1: 0, loss: WALL_DB.party });
  walls.push({ x0: -halfLength, y0: 0, x1: SHOP.x0, y1: 0, loss: WALL_DB.glass });
  walls.push({ x0: CAFE.x1, y0: 0, x1: halfLength, y1: 0, loss: WALL_DB.glass });
  walls.push({ x0: -halfLength, y0: -unitDepth, x1: halfLength, y1: -unitDepth, loss: WALL_DB.rear });
  return walls;
}
