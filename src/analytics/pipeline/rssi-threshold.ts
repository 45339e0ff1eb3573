import type { Observation } from './observation.js';
import type { SignalOptions } from './options.js';

/** RSSI is whole dBm from -128 to -1: one histogram bin each, so a break costs O(128) whatever the sample size. */
export const RSSI_BINS = 128;
const LOWEST = -128;

export function rssiBin(rssi: number): number {
  const bin = Math.round(rssi) - LOWEST;
  return bin < 0 ? 0 : bin >= RSSI_BINS ? RSSI_BINS - 1 : bin;
}

export const binRssi = (bin: number): number => bin + LOWEST;

/**
 * The exact 1-D two-class k-means split of a histogram: the cut that maximises the between-class sum
 * of squares (equivalently minimises the within-class one; in one dimension the optimal clusters are
 * contiguous, so trying every cut is exact, unlike Lloyd's iterations). Returns the lowest RSSI of the
 * upper class: probes below it are the weak class. Undefined with fewer than two distinct values.
 */
export function twoMeansBreak(histogram: ArrayLike<number>): number | undefined {
  let total = 0;
  let totalSum = 0;
  for (let b = 0; b < histogram.length; b += 1) {
    const n = histogram[b] ?? 0;
    total += n;
    totalSum += n * b;
  }
  let lowCount = 0;
  let lowSum = 0;
  let best = -1;
  let bestCut = -1;
  for (let cut = 1; cut < histogram.length; cut += 1) {
    const n = histogram[cut - 1] ?? 0;
    lowCount += n;
    lowSum += n * (cut - 1);
    const highCount = total - lowCount;
    // An empty bin gives the same classes as the cut before it.
    if (n === 0 || lowCount === 0 || highCount === 0) continue;
    const highSum = totalSum - lowSum;
    const between = (lowSum * lowSum) / lowCount + (highSum * highSum) / highCount;
    if (between > best) {
      best = between;
      bestCut = cut;
    }
  }
  if (bestCut < 0) return undefined;
  // Report the first occupied bin of the upper class, not the empty bins between classes.
  let first = bestCut;
  while (first < histogram.length && (histogram[first] ?? 0) === 0) first += 1;
  return binRssi(first);
}

/** The RSSI at quantile `q` of the histogram: probes below it are below the break. Undefined when empty. */
export function quantileBreak(histogram: ArrayLike<number>, q: number): number | undefined {
  let total = 0;
  for (let b = 0; b < histogram.length; b += 1) total += histogram[b] ?? 0;
  if (total === 0) return undefined;
  const target = q * total;
  let cumulative = 0;
  for (let b = 0; b < histogram.length; b += 1) {
    cumulative += histogram[b] ?? 0;
    if (cumulative >= target && (histogram[b] ?? 0) > 0) return binRssi(b);
  }
  return undefined;
}

/** The break for `histogram` under `options`, or undefined (keep everything). */
export function signalBreak(histogram: ArrayLike<number>, samples: number, options: SignalOptions): number | undefined {
  if (options.method === 'off') return undefined;
  if (options.method === 'fixed') return options.fixedDbm;
  if (samples < options.minSamples) return undefined;
  return options.method === '2means' ? twoMeansBreak(histogram) : quantileBreak(histogram, options.quantile);
}

/** The break in force over one bucket of one sensor, as last computed in it (for reports). */
export interface ThresholdRecord {
  sensor: string;
  start: number;
  break: number | null;
}

/**
 * One sensor's rolling break: a ring of per-bucket histograms over the last `windowBuckets` buckets (the
 * current one included), summed as it rolls. The break used for a probe is computed from the probes
 * before the start of its `recomputeSeconds` step: causal, so a live stream and a file agree.
 */
export class RollingThreshold {
  private readonly ring: Int32Array;
  private readonly sum = new Int32Array(RSSI_BINS);
  private readonly counts: Int32Array;
  private samples = 0;
  private bucket = Number.NEGATIVE_INFINITY;
  private step = Number.NEGATIVE_INFINITY;
  private current: number | undefined;

  constructor(
    readonly sensor: string,
    private readonly options: SignalOptions,
    private readonly onBucket?: (record: ThresholdRecord) => void,
  ) {
    this.ring = new Int32Array(options.windowBuckets * RSSI_BINS);
    this.counts = new Int32Array(options.windowBuckets);
  }

  /** The break in force for a probe at `t` (then `add` it). */
  breakAt(t: number): number | undefined {
    const bucket = Math.floor(t / this.options.bucketSeconds);
    const step = Math.floor(t / this.options.recomputeSeconds);
    let changed = false;
    if (bucket !== this.bucket) {
      this.roll(bucket);
      changed = true;
    }
    if (changed || step !== this.step) {
      this.step = step;
      this.current = signalBreak(this.sum, this.samples, this.options);
    }
    return this.current;
  }

  add(rssi: number): void {
    const bin = rssiBin(rssi);
    const slot = this.slotOf(this.bucket);
    const at = slot * RSSI_BINS + bin;
    this.ring[at] = (this.ring[at] ?? 0) + 1;
    this.counts[slot] = (this.counts[slot] ?? 0) + 1;
    this.sum[bin] = (this.sum[bin] ?? 0) + 1;
    this.samples += 1;
  }

  private slotOf(bucket: number): number {
    const n = this.options.windowBuckets;
    return ((bucket % n) + n) % n;
  }

  private roll(bucket: number): void {
    if (this.bucket !== Number.NEGATIVE_INFINITY) {
      this.onBucket?.({ sensor: this.sensor, start: this.bucket * this.options.bucketSeconds, break: this.current ?? null });
    }
    const n = this.options.windowBuckets;
    // Buckets leaving the window: every one between the old and new position (all of them after a long gap).
    const leaving = this.bucket === Number.NEGATIVE_INFINITY ? 0 : Math.min(n, bucket - this.bucket);
    for (let k = 1; k <= leaving; k += 1) this.clear(this.slotOf(this.bucket + k));
    this.bucket = bucket;
  }

  private clear(slot: number): void {
    if (this.counts[slot] === 0) return;
    const base = slot * RSSI_BINS;
    for (let b = 0; b < RSSI_BINS; b += 1) {
      const n = this.ring[base + b] ?? 0;
      if (n !== 0) {
        this.sum[b] = (this.sum[b] ?? 0) - n;
        this.ring[base + b] = 0;
      }
    }
    this.samples -= this.counts[slot] ?? 0;
    this.counts[slot] = 0;
  }

  /** Reports the last bucket's break (end of input). */
  finish(): void {
    if (this.bucket !== Number.NEGATIVE_INFINITY) {
      this.onBucket?.({ sensor: this.sensor, start: this.bucket * this.options.bucketSeconds, break: this.current ?? null });
    }
  }
}

/** The signal filter for every sensor of a stream: keeps or drops each observation in time order. */
export class SignalFilter {
  private readonly sensors = new Map<string, RollingThreshold>();
  private last: RollingThreshold | undefined;

  constructor(
    private readonly options: SignalOptions,
    private readonly onBucket?: (record: ThresholdRecord) => void,
  ) {}

  accept(obs: Observation): boolean {
    // Consecutive probes nearly always come from the same sensor: skip the lookup then.
    let threshold = this.last?.sensor === obs.sensor ? this.last : this.sensors.get(obs.sensor);
    if (threshold === undefined) {
      threshold = new RollingThreshold(obs.sensor, this.options, this.onBucket);
      this.sensors.set(obs.sensor, threshold);
    }
    this.last = threshold;
    const cut = threshold.breakAt(obs.t);
    threshold.add(obs.rssi);
    if (cut === undefined || obs.rssi >= cut) return true;
    return obs.randomised ? !this.options.dropRandomised : !this.options.dropGlobal;
  }

  finish(): void {
    for (const threshold of this.sensors.values()) threshold.finish();
  }
}

/** Batch form: the observations (time-sorted) that pass the signal filter, and the breaks per sensor-bucket. */
export function filterBySignal(observations: readonly Observation[], options: SignalOptions): { kept: Observation[]; thresholds: ThresholdRecord[] } {
  const thresholds: ThresholdRecord[] = [];
  const filter = new SignalFilter(options, (record) => thresholds.push(record));
  const kept = observations.filter((obs) => filter.accept(obs));
  filter.finish();
  return { kept, thresholds };
}
