import { Device } from './device.js';
import { GroupSlots, SEQ_MASK } from './group-slots.js';
import { KeyTable, type KeyEntry } from './key-table.js';
import type { Observation } from './observation.js';
import type { LinkOptions } from './options.js';

export { Device };

const GROUP_IDLE_SECONDS = 600;

/** 0 < (to - from) mod 4096 <= beta: a later frame of the same counter, allowing for the wrap. */
export function seqStep(from: number, to: number): number {
  return (to - from) & SEQ_MASK;
}

/**
 * Assigns each observation (in time order) to a device. A probe whose key (MAC) is known belongs to
 * that key's device ("probes sharing one key merge") and continues the device's last probe. A randomised probe with a new key links to the
 * nearest free earlier probe of its group: i -> j when 0 < t_j - t_i <= alpha and
 * 0 < seq_j - seq_i (mod 4096) <= beta, nearest = smallest sequence step; every probe has at most one
 * incoming and one outgoing link. Devices are the connected components, built as the stream goes: a
 * link only ever extends an existing device, never joins two (see docs/analytics-method.md), so the
 * assignment of a probe never changes after it is made and state is a sliding window of `alpha`.
 */
export class SequenceLinker {
  private readonly table: KeyTable;
  private readonly groups = new Map<string, GroupSlots>();
  private readonly spare: GroupSlots[] = [];
  private nextId = 1;
  private nextGroupSweep = Number.NEGATIVE_INFINITY;

  /** `table`: the stream's shared key table, when the caller resolves entries itself. */
  constructor(
    private readonly options: LinkOptions,
    table?: KeyTable,
  ) {
    this.table = table ?? new KeyTable(options.keyMemorySeconds);
  }

  assign(obs: Observation, entry: KeyEntry = this.table.resolve(obs.key, obs.t)): Device {
    const t = obs.t;
    if (t >= this.nextGroupSweep) this.sweepGroups(t);
    // -1: this probe takes no part in linking (global MAC, no sequence number, linking off).
    const seq = this.options.enabled && obs.randomised && obs.seq !== null ? obs.seq & SEQ_MASK : -1;
    let device = entry.device;
    if (device !== undefined && t - device.linkT > this.options.keyMemorySeconds) device = undefined;
    if (device === undefined) {
      const slots = seq >= 0 ? this.groups.get(obs.group) : undefined;
      device = (slots === undefined ? undefined : this.nearest(slots, t, seq)) ?? new Device(this.nextId++, obs.key);
      entry.device = device;
    } else if (seq >= 0 && device.linkSeq >= 0 && device.linkSlots?.name === obs.group) {
      this.continueOwn(device.linkSlots, device, t, seq);
    }
    if (seq >= 0) {
      let slots = device.linkSlots;
      if (slots?.name !== obs.group) slots = this.slotsOf(obs.group);
      slots.t[seq] = t;
      slots.device[seq] = device;
      slots.lastT = t;
      device.linkSlots = slots;
    }
    device.linkT = t;
    device.linkSeq = seq;
    return device;
  }

  /** Keys held in the linker's own table (for memory checks). */
  get size(): number {
    return this.table.size;
  }

  /** A free node (taken ones hold a negative time) strictly earlier and at most alpha before `t`. */
  private eligible(slots: GroupSlots, slot: number, t: number): boolean {
    const ti = slots.t[slot] ?? Number.NEGATIVE_INFINITY;
    return ti > 0 && ti < t && t - ti <= this.options.alphaSeconds;
  }

  /** The device's previous probe takes this one as its outgoing link when it qualifies. */
  private continueOwn(slots: GroupSlots, device: Device, t: number, seq: number): void {
    const slot = device.linkSeq;
    if (slots.t[slot] !== device.linkT || slots.device[slot] !== device) return;
    const step = seqStep(slot, seq);
    if (step > 0 && step <= this.options.beta && this.eligible(slots, slot, t)) slots.t[slot] = -device.linkT;
  }

  private nearest(slots: GroupSlots, t: number, seq: number): Device | undefined {
    for (let step = 1; step <= this.options.beta; step += 1) {
      const slot = (seq - step) & SEQ_MASK;
      if (this.eligible(slots, slot, t)) {
        slots.t[slot] = -(slots.t[slot] ?? 0);
        return slots.device[slot];
      }
    }
    return undefined;
  }

  private slotsOf(group: string): GroupSlots {
    let slots = this.groups.get(group);
    if (slots === undefined) {
      slots = this.spare.pop() ?? new GroupSlots();
      slots.name = group;
      this.groups.set(group, slots);
    }
    return slots;
  }

  /** Forgets idle groups (keys age out by themselves), so memory follows recent traffic, not the total. */
  private sweepGroups(t: number): void {
    // Stale nodes are never linked (their time says so); this only returns memory, so it need not be eager.
    const groupHorizon = t - Math.max(GROUP_IDLE_SECONDS, this.options.alphaSeconds);
    for (const [group, slots] of this.groups) {
      if (slots.lastT < groupHorizon) {
        this.groups.delete(group);
        slots.reset();
        if (this.spare.length < 64) this.spare.push(slots);
      }
    }
    this.nextGroupSweep = t + Math.max(GROUP_IDLE_SECONDS, this.options.alphaSeconds) / 2;
  }
}

/** Batch form: the device of every observation (time-sorted), aligned with the input. */
export function linkObservations(observations: readonly Observation[], options: LinkOptions): Device[] {
  const linker = new SequenceLinker(options);
  return observations.map((obs) => linker.assign(obs));
}
