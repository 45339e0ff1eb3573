import type { Observation } from './observation.js';
import type { CountOptions } from './options.js';
import type { Device, ScopeMark } from './device.js';
import { VisitTracker, type VisitRecord } from './visits.js';

/** One interval's counts for the whole site (`sensor` null) or one sensor. */
export interface CountRow {
  sensor: string | null;
  start: number;
  end: number;
  /** Distinct devices seen in the interval. */
  devices: number;
  visitors: number;
  passersby: number;
  /** Arrivals: devices seen in a minute of the interval and not in the dwell window before it. */
  footfall: number;
  /** Devices seen within the occupancy window: centred on the interval, or ending with it. */
  occupancy: number;
}

/**
 * Sensors in order of first appearance, with the interval each first appeared in: every stage emits
 * rows for a sensor from that interval on, so rows of different stages line up.
 */
export class SensorRegistry {
  readonly names: string[] = [];
  readonly firstInterval: number[] = [];
  private readonly index = new Map<string, number>();
  private lastName: string | undefined;
  private lastIndex = -1;

  register(name: string, interval: number): void {
    if (name === this.lastName || this.indexOf(name) !== undefined) return;
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.firstInterval.push(interval);
  }

  indexOf(name: string): number | undefined {
    // Consecutive probes nearly always come from the same sensor (often the same string).
    if (name === this.lastName) return this.lastIndex;
    const index = this.index.get(name);
    if (index !== undefined) {
      this.lastName = name;
      this.lastIndex = index;
    }
    return index;
  }
}

class Scope {
  /** Devices seen in the current interval. */
  seen: Device[] = [];
  footfall = 0;
  /** Marks of devices that may still be within the occupancy window. */
  recent: ScopeMark[] = [];
}

const MINUTE = 60;

/**
 * Counts one stage's observations (time-ordered, with their devices) per interval, for the site and
 * per sensor: distinct devices, footfall (arrivals after the paper's dwell removal), occupancy,
 * visitors and passers-by, and the visits. Intervals are closed in order, when the caller says no
 * earlier observation can come (`closeBefore`), so the result does not depend on how the input was
 * chunked. Per-device state rides on the devices (see Device): no lookups per probe.
 */
export class IntervalCounter {
  private readonly site = new Scope();
  private readonly sensors: Scope[] = [];
  private readonly visits: VisitTracker;
  private readonly dwellMinutes: number;
  /** How far past an interval's end its occupancy window reaches (half the excess over the interval when centred). */
  private readonly lead: number;
  /** Rows waiting for their occupancy window to pass, in emission order. */
  private pending: { row: CountRow; scope: Scope; from: number; until: number }[] = [];
  private interval = Number.NaN;

  constructor(
    private readonly options: CountOptions,
    private readonly registry: SensorRegistry,
    private readonly emitRow: (row: CountRow) => void,
    emitVisit: (visit: VisitRecord) => void = () => undefined,
  ) {
    this.visits = new VisitTracker(options, emitVisit);
    this.dwellMinutes = Math.floor(options.dwellWindowSeconds / MINUTE);
    this.lead = options.occupancyAlign === 'centred' ? Math.max(0, (options.occupancyWindowSeconds - options.intervalSeconds) / 2) : 0;
  }

  /** The first interval to report (the stream's first, so every stage reports the same range). */
  begin(interval: number): void {
    if (Number.isNaN(this.interval)) this.interval = interval;
  }

  observe(obs: Observation, device: Device): void {
    const interval = Math.floor(obs.t / this.options.intervalSeconds);
    this.begin(interval);
    while (this.interval < interval) this.closeCurrent();
    this.settle(obs.t);
    device.claim(this);
    const minute = Math.floor(obs.t / MINUTE);
    this.mark(this.site, device, device, obs.t, minute);
    const index = this.registry.indexOf(obs.sensor);
    if (index !== undefined) this.mark(this.sensorScope(index), device.sensorMark(index), device, obs.t, minute);
    this.visits.observe(obs, device);
  }

  /** No observation before `horizon` is still to come: closes the intervals and rows it completes. */
  closeBefore(horizon: number): void {
    while (!Number.isNaN(this.interval) && (this.interval + 1) * this.options.intervalSeconds <= horizon) this.closeCurrent();
    this.settle(horizon);
  }

  /** End of input: closes intervals through `lastInterval` and every open visit. */
  finish(lastInterval: number): void {
    while (!Number.isNaN(this.interval) && this.interval <= lastInterval) this.closeCurrent();
    this.settle(Number.POSITIVE_INFINITY);
    this.visits.closeAll();
  }

  private sensorScope(index: number): Scope {
    let scope = this.sensors[index];
    while (scope === undefined) {
      this.sensors.push(new Scope());
      scope = this.sensors[index];
    }
    return scope;
  }

  private mark(scope: Scope, mark: ScopeMark, device: Device, t: number, minute: number): void {
    if (mark.lastInterval !== this.interval) {
      mark.lastInterval = this.interval;
      scope.seen.push(device);
    }
    if (mark.lastMinute !== minute) {
      // The paper's dwell removal: not counted in a minute when seen 1..dwell minutes before it.
      if (minute - mark.lastMinute > this.dwellMinutes) scope.footfall += 1;
      mark.lastMinute = minute;
    }
    mark.lastSeen = t;
    if (!mark.recent) {
      mark.recent = true;
      scope.recent.push(mark);
    }
  }

  private closeCurrent(): void {
    const start = this.interval * this.options.intervalSeconds;
    const end = start + this.options.intervalSeconds;
    this.hold(this.site, null, start, end);
    this.registry.names.forEach((name, i) => {
      if ((this.registry.firstInterval[i] ?? Number.POSITIVE_INFINITY) <= this.interval) this.hold(this.sensorScope(i), name, start, end);
    });
    this.visits.closeIdle(end);
    this.interval += 1;
  }

  /** The interval's row, but for occupancy, which waits until its window has passed. */
  private hold(scope: Scope, sensor: string | null, start: number, end: number): void {
    const devices = scope.seen.length;
    let visitors = 0;
    for (const device of scope.seen) if (this.visits.isVisitor(device)) visitors += 1;
    const row: CountRow = { sensor, start, end, devices, visitors, passersby: devices - visitors, footfall: scope.footfall, occupancy: 0 };
    scope.seen = [];
    scope.footfall = 0;
    const until = end + this.lead;
    this.pending.push({ row, scope, from: until - this.options.occupancyWindowSeconds, until });
  }

  /** Emits the rows whose occupancy window ends at or before `now` (nothing from `now` on has been counted). */
  private settle(now: number): void {
    let done = 0;
    for (const item of this.pending) {
      if (item.until > now) break;
      item.row.occupancy = this.occupancyFrom(item.scope, item.from);
      this.emitRow(item.row);
      done += 1;
    }
    if (done > 0) this.pending = this.pending.slice(done);
  }

  /** Devices seen since `from`; the others leave the list (later windows start later). */
  private occupancyFrom(scope: Scope, from: number): number {
    let kept = 0;
    for (const mark of scope.recent) {
      if (mark.lastSeen >= from) scope.recent[kept++] = mark;
      else mark.recent = false;
    }
    scope.recent.length = kept;
    return kept;
  }
}
