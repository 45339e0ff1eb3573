import { AgingMap } from './aging-map.js';
import type { Device } from './device.js';

/**
 * Everything the key-level stages remember about one key (MAC or its hash), in one object: the stream
 * looks each probe's key up once and hands the entry from stage to stage. On a busy site a lookup in
 * a map of hours of keys is the costliest step of a probe, so doing it once, not per stage, matters.
 */
export class KeyEntry {
  /** Raw MAC count: the last interval the key was counted in, for the site and for one sensor. */
  rawInterval = Number.NaN;
  rawSensor = -1;
  rawSensorInterval = Number.NaN;
  /** Static detection: the latest bucket with a probe, and (from the second) the buckets in the window. */
  lastBucket = Number.NEGATIVE_INFINITY;
  buckets: number[] | undefined = undefined;
  head = 0;
  /** Buckets at which the key was static, as inclusive runs [from, to, ...], ascending. */
  runs: number[] | undefined = undefined;
  /** Linking: the key's device. */
  device: Device | undefined = undefined;

  constructor(readonly key: string) {}
}

/**
 * Key entries that age out once untouched for `period` (see AgingMap), except those pinned (a static
 * device remembered for its hold time).
 */
export class KeyTable {
  private readonly entries: AgingMap<KeyEntry>;
  private readonly pinned = new Map<string, KeyEntry>();
  /** The last entry resolved: the probes of a burst come one after another, so this saves a lookup. */
  private last: KeyEntry | undefined;

  constructor(period: number) {
    this.entries = new AgingMap(period);
  }

  /** The key's entry, made on first sight; `t` moves the table's time on. */
  resolve(key: string, t: number): KeyEntry {
    if (this.entries.advance(t)) this.last = undefined;
    if (this.last?.key === key) return this.last;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.pinned.get(key) ?? new KeyEntry(key);
      this.entries.set(key, entry);
    }
    this.last = entry;
    return entry;
  }

  pin(entry: KeyEntry): void {
    this.pinned.set(entry.key, entry);
  }

  unpin(entry: KeyEntry): void {
    this.pinned.delete(entry.key);
  }

  /** Entries held (for memory checks; a key may count twice across generations). */
  get size(): number {
    return this.entries.size + this.pinned.size;
  }
}

/** How long a table shared by the key-level stages must keep an untouched entry. */
export function keyTablePeriod(keyMemorySeconds: number, staticWindowSeconds: number, staticBucketSeconds: number): number {
  return Math.max(keyMemorySeconds, staticWindowSeconds + staticBucketSeconds);
}
