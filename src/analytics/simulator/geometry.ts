/** Plane geometry of a scenario, in metres; time in epoch seconds. */
export interface Point {
  x: number;
  y: number;
}

/** Where a person is at time `t`; `face` is the heading (radians) while standing still there. */
export interface Waypoint extends Point {
  t: number;
  face: number;
}

/** A straight wall (or window) that attenuates a signal crossing it by `loss` dB. */
export interface Wall {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  loss: number;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Pose extends Point {
  /** Direction the person faces, radians. */
  heading: number;
}

/**
 * Builds a piecewise-linear walk: walking legs at a speed, and waits. People
 * are simulated from such paths, so their position at any time is exact and
 * the ground truth (door crossings, stays) is read off the same path.
 */
export class PathBuilder {
  readonly points: Waypoint[];

  constructor(t: number, x: number, y: number, face = 0) {
    this.points = [{ t, x, y, face }];
  }

  get last(): Waypoint {
    const point = this.points[this.points.length - 1];
    if (point === undefined) throw new Error('empty path');
    return point;
  }

  get t(): number {
    return this.last.t;
  }

  walkTo(x: number, y: number, speed: number): this {
    const from = this.last;
    const distance = Math.hypot(x - from.x, y - from.y);
    if (distance < 1e-6) return this;
    const face = Math.atan2(y - from.y, x - from.x);
    this.points.push({ t: from.t + distance / speed, x, y, face });
    return this;
  }

  /** Stand still for `seconds`, facing `face` (defaults to the direction of arrival). */
  wait(seconds: number, face?: number): this {
    const from = this.last;
    if (seconds <= 0) return this;
    if (face !== undefined) from.face = face;
    this.points.push({ t: from.t + seconds, x: from.x, y: from.y, face: from.face });
    return this;
  }
}

/** Position and heading at `t` (clamped to the path's time span). */
export function poseAt(path: readonly Waypoint[], t: number): Pose {
  const first = path[0];
  if (first === undefined) throw new Error('empty path');
  if (t <= first.t || path.length === 1) return { x: first.x, y: first.y, heading: first.face };
  let lo = 0;
  let hi = path.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((path[mid] as Waypoint).t <= t) lo = mid;
    else hi = mid;
  }
  const a = path[lo] as Waypoint;
  const b = path[hi] as Waypoint;
  if (t >= b.t) return { x: b.x, y: b.y, heading: b.face };
  const f = (t - a.t) / (b.t - a.t);
  const moving = a.x !== b.x || a.y !== b.y;
  return { x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y), heading: moving ? b.face : a.face };
}

/** Times at which the path crosses the vertical line x = `x` with y inside [yMin, yMax]. */
export function lineCrossings(path: readonly Waypoint[], x: number, yMin: number, yMax: number): number[] {
  const times: number[] = [];
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1] as Waypoint;
    const b = path[i] as Waypoint;
    const straddles = (a.x < x && b.x >= x) || (b.x < x && a.x >= x);
    if (!straddles) continue;
    const f = (x - a.x) / (b.x - a.x);
    const y = a.y + f * (b.y - a.y);
    if (y >= yMin && y <= yMax) times.push(a.t + f * (b.t - a.t));
  }
  return times;
}

/** Sum of the losses of the walls the segment p-q crosses. */
export function wallLoss(walls: readonly Wall[], p: Point, q: Point): number {
  let loss = 0;
  const minX = Math.min(p.x, q.x);
  const maxX = Math.max(p.x, q.x);
  const minY = Math.min(p.y, q.y);
  const maxY = Math.max(p.y, q.y);
  for (const wall of walls) {
    if (Math.max(wall.x0, wall.x1) < minX || Math.min(wall.x0, wall.x1) > maxX) continue;
    if (Math.max(wall.y0, wall.y1) < minY || Math.min(wall.y0, wall.y1) > maxY) continue;
    if (segmentsCross(p, q, wall)) loss += wall.loss;
  }
  return loss;
}

function segmentsCross(p: Point, q: Point, w: Wall): boolean {
  const d1 = cross(w.x0, w.y0, w.x1, w.y1, p.x, p.y);
  const d2 = cross(w.x0, w.y0, w.x1, w.y1, q.x, q.y);
  const d3 = cross(p.x, p.y, q.x, q.y, w.x0, w.y0);
  const d4 = cross(p.x, p.y, q.x, q.y, w.x1, w.y1);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

function cross(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** The four walls of a rectangle; `front` (the side at y = frontY) gets its own loss (glass). */
export function roomWalls(rect: Rect, wallDb: number, front: { y: number; loss: number }): Wall[] {
  const sides: Wall[] = [
    { x0: rect.x0, y0: rect.y0, x1: rect.x1, y1: rect.y0, loss: wallDb },
    { x0: rect.x0, y0: rect.y1, x1: rect.x1, y1: rect.y1, loss: wallDb },
    { x0: rect.x0, y0: rect.y0, x1: rect.x0, y1: rect.y1, loss: wallDb },
    { x0: rect.x1, y0: rect.y0, x1: rect.x1, y1: rect.y1, loss: wallDb },
  ];
  return sides.map((wall) => (wall.y0 === front.y && wall.y1 === front.y ? { ...wall, loss: front.loss } : wall));
}

/** A random point inside `rect`, `margin` metres from its walls. */
export function pointIn(rect: Rect, margin: number, random: () => number): Point {
  return {
    x: rect.x0 + margin + (rect.x1 - rect.x0 - 2 * margin) * random(),
    y: Math.min(rect.y0, rect.y1) + margin + (Math.abs(rect.y1 - rect.y0) - 2 * margin) * random(),
  };
}
