import { KeyTable, keyTablePeriod, type KeyEntry } from './key-table.js';
import type { Observation } from './observation.js';
import type { StaticOptions } from './options.js';

/**
 * Removes fixed devices (PCs, printers, TVs): a key is *static at* a bucket where it has a probe and
 * was present in at least `minFraction` of the buckets of the window ending there (cut at the
 * stream's first bucket, and then at least `minWindowSeconds` long, so a short capture finds nothing
 * static). A probe is dropped when its key was static at some bucket from `hold` before it to
 * `lookahead` after it; probes are therefore released `lookahead` late, in arrival order. People do
 * not stay in range with a phone probing in nearly every two minutes for three hours; fixed devices do.
 * Per-key state lives on the key's entry (see KeyTable); a static key's entry is pinned for its hold.
 */
export class StaticDetector {
  private readonly bucketSeconds: number;
  private readonly window: number;
  private readonly minWindow: number;
  private readonly ahead: number;
  private readonly hold: number;
  private readonly table: KeyTable;
  private pinned: KeyEntry[] = [];
  private first = Number.NaN;
  private current = Number.NEGATIVE_INFINITY;
  private pendingObs: Observation[] = [];
  private pendingEntry: KeyEntry[] = [];
  private pendingBucket: number[] = [];
  private head = 0;
  private nextForget = Number.NEGATIVE_INFINITY;

  /** `table`: the stream's shared key table, when the caller resolves entries itself. */
  constructor(
    private readonly options: StaticOptions,
    private readonly release: (obs: Observation, entry: KeyEntry) => void,
    private readonly onStatic?: (key: string, t: number) => void,
    table?: KeyTable,
  ) {
    this.bucketSeconds = options.bucketSeconds;
    this.window = Math.max(1, Math.round(options.windowSeconds / options.bucketSeconds));
    this.minWindow = Math.max(1, Math.round(options.minWindowSeconds / options.bucketSeconds));
    this.ahead = Math.ceil(options.lookaheadSeconds / options.bucketSeconds);
    this.hold = Math.ceil(options.holdSeconds / options.bucketSeconds);
    this.table = table ?? new KeyTable(keyTablePeriod(0, options.windowSeconds, options.bucketSeconds));
  }

  /** A probe that passed the signal filter (`entry`: its key's entry in the table given, if any). */
  push(obs: Observation, entry: KeyEntry = this.table.resolve(obs.key, obs.t)): void {
    this.advance(obs.t);
    if (!this.options.enabled) {
      this.release(obs, entry);
      return;
    }
    const bucket = Math.floor(obs.t / this.bucketSeconds);
    if (entry.lastBucket !== bucket) this.see(entry, bucket, obs.t);
    if (this.ahead === 0) {
      if (!this.isStatic(entry, bucket)) this.release(obs, entry);
      return;
    }
    this.pendingObs.push(obs);
    this.pendingEntry.push(entry);
    this.pendingBucket.push(bucket);
  }

  /** A probe the signal filter dropped still moves time on (and releases what waited for it). */
  advance(t: number): void {
    const bucket = Math.floor(t / this.bucketSeconds);
    if (Number.isNaN(this.first)) this.first = bucket;
    if (bucket <= this.current) return;
    this.current = bucket;
    this.releaseUpTo(bucket - this.ahead);
    if (bucket >= this.nextForget) {
      this.unpinExpired(bucket);
      this.nextForget = bucket + Math.max(1, Math.floor(this.window / 8));
    }
  }

  /** Keys held in the table (for memory checks). */
  get size(): number {
    return this.table.size;
  }

  /** Time up to which (exclusive) every observation has been released. */
  horizon(latest: number): number {
    if (!this.options.enabled || this.ahead === 0) return latest;
    return (this.current - this.ahead) * this.bucketSeconds;
  }

  /** End of input: release everything still held. */
  finish(): void {
    this.releaseUpTo(Number.POSITIVE_INFINITY);
  }

  /** The key's first probe in `bucket`: counts the buckets of the window ending there and judges. */
  private see(entry: KeyEntry, bucket: number, t: number): void {
    const from = bucket - this.window + 1;
    let count: number;
    let buckets = entry.buckets;
    if (buckets === undefined) {
      // Most random MACs live in one bucket: no array until a second one.
      count = entry.lastBucket < from ? 1 : 2;
      if (count === 2) {
        buckets = [entry.lastBucket, bucket];
        entry.buckets = buckets;
        entry.head = 0;
      }
    } else {
      buckets.push(bucket);
      while ((buckets[entry.head] ?? Number.POSITIVE_INFINITY) < from) entry.head += 1;
      if (entry.head > 64) {
        entry.buckets = buckets.slice(entry.head);
        entry.head = 0;
      }
      count = (entry.buckets?.length ?? 0) - entry.head;
    }
    entry.lastBucket = bucket;
    // Near the stream's start the window is cut at its first bucket: long enough still counts.
    const length = bucket - Math.max(from, this.first) + 1;
    if (length >= this.minWindow && count >= this.options.minFraction * length - 1e-9) this.markStatic(entry, bucket, t);
  }

  private markStatic(entry: KeyEntry, bucket: number, t: number): void {
    const runs = entry.runs;
    if (runs === undefined) {
      this.onStatic?.(entry.key, t);
      entry.runs = [bucket, bucket];
      this.table.pin(entry);
      this.pinned.push(entry);
    } else if (runs[runs.length - 1] === bucket - 1) runs[runs.length - 1] = bucket;
    else runs.push(bucket, bucket);
  }

  private isStatic(entry: KeyEntry, bucket: number): boolean {
    const runs = entry.runs;
    if (runs === undefined) return false;
    for (let i = 0; i + 1 < runs.length; i += 2) {
      if ((runs[i + 1] ?? 0) >= bucket - this.hold && (runs[i] ?? 0) <= bucket + this.ahead) return true;
    }
    return false;
  }

  /** Releases held observations of buckets before `limit`. */
  private releaseUpTo(limit: number): void {
    for (;;) {
      const bucket = this.pendingBucket[this.head];
      const obs = this.pendingObs[this.head];
      const entry = this.pendingEntry[this.head];
      if (bucket === undefined || obs === undefined || entry === undefined || bucket >= limit) break;
      if (!this.isStatic(entry, bucket)) this.release(obs, entry);
      this.head += 1;
    }
    if (this.head > 4096 && this.head * 2 > this.pendingObs.length) {
      this.pendingObs = this.pendingObs.slice(this.head);
      this.pendingEntry = this.pendingEntry.slice(this.head);
      this.pendingBucket = this.pendingBucket.slice(this.head);
      this.head = 0;
    }
  }

  /** Runs too old to cover any probe still to come go; a key with none left is no longer pinned. */
  private unpinExpired(bucket: number): void {
    const runsFrom = bucket - this.ahead - this.hold;
    this.pinned = this.pinned.filter((entry) => {
      const runs = entry.runs ?? [];
      let drop = 0;
      while ((runs[drop + 1] ?? Number.POSITIVE_INFINITY) < runsFrom) drop += 2;
      if (drop < runs.length) {
        if (drop > 0) entry.runs = runs.slice(drop);
        return true;
      }
      entry.runs = undefined;
      this.table.unpin(entry);
      return false;
    });
  }
}

/**
 * Batch form: the observations (time-sorted) of non-static keys, and the keys found static (again
 * after a hold ran out, as a stream reports them).
 * `streamStart`: time of the stream's first observation when `observations` is a filtered part of it
 * (only whole windows after it count); default the first of `observations`.
 */
export function removeStaticDevices(
  observations: readonly Observation[],
  options: StaticOptions,
  streamStart?: number,
): { kept: Observation[]; staticKeys: string[] } {
  const kept: Observation[] = [];
  const staticKeys: string[] = [];
  const detector = new StaticDetector(
    options,
    (obs) => kept.push(obs),
    (key) => staticKeys.push(key),
  );
  if (streamStart !== undefined) detector.advance(streamStart);
  for (const obs of observations) detector.push(obs);
  detector.finish();
  return { kept, staticKeys };
}
