import type { GroupSlots } from './group-slots.js';

/** What one counting scope (the site, or one sensor) remembers of one device. */
export interface ScopeMark {
  lastSeen: number;
  /** Last minute with a probe (footfall's dwell removal). */
  lastMinute: number;
  /** Last interval with a probe (distinct devices per interval). */
  lastInterval: number;
  /** On the scope's list of devices that may still count as present. */
  recent: boolean;
}

const fresh = (): ScopeMark => ({ lastSeen: Number.NEGATIVE_INFINITY, lastMinute: Number.NEGATIVE_INFINITY, lastInterval: Number.NaN, recent: false });

/**
 * One physical device as far as the pipeline can tell; `label` is the key (MAC) of its first probe.
 * The linker's state (its last probe) and the counting state of the one counter that counts it rides on the object (the site's mark, its
 * marks per sensor, its open visit) rather than in maps keyed by device: a probe then costs no
 * lookups, and the state goes when the device is forgotten. A counter claims a device through
 * `owner`, so a device counted by a second counter starts afresh there.
 */
export class Device implements ScopeMark {
  owner: object | undefined = undefined;
  lastSeen = Number.NEGATIVE_INFINITY;
  lastMinute = Number.NEGATIVE_INFINITY;
  lastInterval = Number.NaN;
  recent = false;
  /** Marks per sensor index (sparse). */
  sensorMarks: (ScopeMark | undefined)[] | undefined = undefined;
  /** The open visit, inline (one object less per device): `visitStart` NaN when there is none. */
  visitStart = Number.NaN;
  visitLast = Number.NaN;
  firstStrong = Number.NaN;
  lastStrong = Number.NaN;
  visitProbes = 0;
  maxRssi = Number.NEGATIVE_INFINITY;
  /** Sensors of the open visit in order, consecutive repeats collapsed. */
  route: string[] = [];
  /** The linker's view: the device's last probe (time, sequence number or -1, group), which a later one may continue. */
  linkT = Number.NEGATIVE_INFINITY;
  linkSeq = -1;
  linkSlots: GroupSlots | undefined = undefined;

  constructor(
    readonly id: number,
    readonly label: string,
  ) {}

  /** Makes `owner` the counter of this device, clearing another counter's state. */
  claim(owner: object): void {
    if (this.owner === owner) return;
    this.owner = owner;
    this.lastSeen = Number.NEGATIVE_INFINITY;
    this.lastMinute = Number.NEGATIVE_INFINITY;
    this.lastInterval = Number.NaN;
    this.recent = false;
    this.sensorMarks = undefined;
    this.visitStart = Number.NaN;
  }

  sensorMark(index: number): ScopeMark {
    const marks = (this.sensorMarks ??= []);
    let mark = marks[index];
    if (mark === undefined) {
      mark = fresh();
      marks[index] = mark;
    }
    return mark;
  }
}
