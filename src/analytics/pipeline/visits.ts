import type { Device } from './device.js';
import type { Observation } from './observation.js';
import type { CountOptions } from './options.js';

/** A finished visit as plain data: dwell, routes and capture rate are computed from these. */
export interface VisitRecord {
  /** The device's label (the key of its first probe). */
  device: string;
  /** Sensors (zones) in the order visited, consecutive repeats collapsed. */
  sensors: string[];
  start: number;
  end: number;
  /** First to last strong-signal probe (rssi >= visitorRssi). */
  strongSeconds: number;
  probes: number;
  maxRssi: number;
  kind: 'visitor' | 'passerby';
}

const strongSecondsOf = (device: Device): number => (Number.isNaN(device.firstStrong) ? 0 : device.lastStrong - device.firstStrong);
const hasVisit = (device: Device): boolean => !Number.isNaN(device.visitStart);

/**
 * Visits per device: a gap longer than the session timeout ends one; a stay shorter than
 * `minVisitSeconds` is not a visit (not emitted). A visitor has a strong signal for at least
 * `visitorMinSeconds` (first to last strong probe), as the real-time presence tracker defines it.
 * The open visit rides on its device (see Device); this keeps the list of devices with one.
 */
export class VisitTracker {
  private open: Device[] = [];

  constructor(
    private readonly options: CountOptions,
    private readonly emit: (visit: VisitRecord) => void,
  ) {}

  /** `device` must already be claimed by the caller's counter. */
  observe(obs: Observation, device: Device): void {
    const listed = hasVisit(device);
    if (listed && obs.t - device.visitLast > this.options.sessionTimeoutSeconds) this.close(device);
    if (!hasVisit(device)) {
      device.visitStart = obs.t;
      device.firstStrong = Number.NaN;
      device.lastStrong = Number.NaN;
      device.visitProbes = 0;
      device.maxRssi = obs.rssi;
      device.route = [obs.sensor];
      if (!listed) this.open.push(device);
    }
    device.visitLast = obs.t;
    device.visitProbes += 1;
    if (obs.rssi > device.maxRssi) device.maxRssi = obs.rssi;
    if (obs.rssi >= this.options.visitorRssi) {
      if (Number.isNaN(device.firstStrong)) device.firstStrong = obs.t;
      device.lastStrong = obs.t;
    }
    if (device.route[device.route.length - 1] !== obs.sensor) device.route.push(obs.sensor);
  }

  /** Whether the device's current visit has qualified as a visitor's so far. */
  isVisitor(device: Device): boolean {
    return hasVisit(device) && strongSecondsOf(device) >= this.options.visitorMinSeconds;
  }

  /** Ends visits silent for longer than the session timeout at `now` (stream time). */
  closeIdle(now: number): void {
    let kept = 0;
    for (const device of this.open) {
      if (hasVisit(device) && now - device.visitLast > this.options.sessionTimeoutSeconds) this.close(device);
      if (hasVisit(device)) this.open[kept++] = device;
    }
    this.open.length = kept;
  }

  closeAll(): void {
    for (const device of this.open) if (hasVisit(device)) this.close(device);
    this.open = [];
  }

  private close(device: Device): void {
    const start = device.visitStart;
    device.visitStart = Number.NaN;
    if (device.visitLast - start < this.options.minVisitSeconds) return;
    const strongSeconds = strongSecondsOf(device);
    this.emit({
      device: device.label,
      sensors: device.route,
      start,
      end: device.visitLast,
      strongSeconds,
      probes: device.visitProbes,
      maxRssi: device.maxRssi,
      kind: strongSeconds >= this.options.visitorMinSeconds ? 'visitor' : 'passerby',
    });
  }
}
