import type { Device } from './device.js';

export const SEQ_SPACE = 4096;
export const SEQ_MASK = SEQ_SPACE - 1;
/** The name of pooled slots: no group is called this, so a stale cached reference never matches. */
const POOLED = '\u0000pooled';

/**
 * The recent probes of one linking group indexed by sequence number: at most one node per number (the
 * latest), so finding the nearest predecessor is at most `beta` array reads, whatever the traffic.
 */
export class GroupSlots {
  /** The group these slots serve now: a cached reference checks it. */
  name = POOLED;
  /**
   * Each node's time (epoch seconds, positive) while its one outgoing link is free; negated once it
   * is taken (one array, not two: a probe then touches one cache line less); -Infinity when empty.
   */
  readonly t = new Float64Array(SEQ_SPACE).fill(Number.NEGATIVE_INFINITY);
  readonly device: (Device | undefined)[] = new Array<Device | undefined>(SEQ_SPACE).fill(undefined);
  lastT = Number.NEGATIVE_INFINITY;

  reset(): void {
    this.t.fill(Number.NEGATIVE_INFINITY);
    this.device.fill(undefined);
    this.lastT = Number.NEGATIVE_INFINITY;
    this.name = POOLED;
  }
}
