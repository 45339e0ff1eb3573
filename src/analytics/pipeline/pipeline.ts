import { DistinctKeyCounter } from './distinct-counter.js';
import { IntervalCounter, SensorRegistry } from './interval-counter.js';
import { KeyTable, keyTablePeriod, type KeyEntry } from './key-table.js';
import type { Observation } from './observation.js';
import { resolveOptions, type PipelineOptions, type PipelineOptionsInput } from './options.js';
import { RowAssembler, type IntervalRow, type SensorIntervalRow, type StageRow } from './rows.js';
import { SignalFilter, type ThresholdRecord } from './rssi-threshold.js';
import { SequenceLinker } from './sequence-link.js';
import { StaticDetector } from './static-devices.js';
import type { VisitRecord } from './visits.js';

/** Everything the pipeline produced (since the last drain, for a stream). */
export interface PipelineOutput {
  /** The site, one row per interval, in order. */
  rows: IntervalRow[];
  /** Per sensor, from the interval the sensor first appeared in. */
  sensorRows: SensorIntervalRow[];
  /** The site's estimates at each stage (only with `stages`). */
  stageRows: StageRow[];
  /** Closed visits (stays of at least minVisitSeconds). */
  visits: VisitRecord[];
  /** The signal break of each sensor-bucket. */
  thresholds: ThresholdRecord[];
  /** Keys found static, each when found (again only after its hold ran out). */
  staticKeys: string[];
}

export const emptyOutput = (): PipelineOutput => ({ rows: [], sensorRows: [], stageRows: [], visits: [], thresholds: [], staticKeys: [] });

/**
 * The streaming composition: push time-ordered observations, drain rows as their intervals close,
 * flush at the end. State is bounded by time windows (the signal window's histograms, the key table
 * of the last hours, the static lookahead, alpha for linking, the dwell/occupancy/session windows),
 * never by the length of the input.
 * Output equals `analyzeObservations` on the same (sorted) observations however they are chunked.
 */
export class StreamingPipeline {
  readonly options: PipelineOptions;
  private out = emptyOutput();
  private readonly registry = new SensorRegistry();
  /** One entry per key shared by the key-level stages: one lookup per probe. */
  private readonly keys: KeyTable;
  private readonly signal: SignalFilter;
  private readonly statics: StaticDetector;
  /** The raw stage: distinct keys only, or (with stages) every count with one device per key. */
  private readonly raw: { keys: SequenceLinker; counter: IntervalCounter } | DistinctKeyCounter;
  private readonly filteredKeys: SequenceLinker | undefined;
  private readonly linker: SequenceLinker;
  private readonly filtered: IntervalCounter | undefined;
  private readonly linked: IntervalCounter;
  private lastT = Number.NEGATIVE_INFINITY;
  private started = false;
  private finished = false;

  constructor(input: PipelineOptionsInput | PipelineOptions = {}) {
    const options = resolveOptions(input);
    this.options = options;
    const c = options.counting;
    const assembler = new RowAssembler(
      options.stages,
      (row) => this.out.rows.push(row),
      (row) => this.out.sensorRows.push(row),
      (row) => this.out.stageRows.push(row),
    );
    const unlinked = { ...options.linking, enabled: false };
    this.keys = new KeyTable(keyTablePeriod(options.linking.keyMemorySeconds, options.static.windowSeconds, options.static.bucketSeconds));
    this.signal = new SignalFilter(options.signal, (record) => this.out.thresholds.push(record));
    this.raw = options.stages
      ? { keys: new SequenceLinker(unlinked), counter: new IntervalCounter(c, this.registry, (row) => assembler.addRaw(row)) }
      : new DistinctKeyCounter(c.intervalSeconds, this.registry, (row) => assembler.addRaw(row));
    if (options.stages) {
      this.filteredKeys = new SequenceLinker(unlinked);
      this.filtered = new IntervalCounter(c, this.registry, (row) => assembler.addFiltered(row));
    }
    this.linker = new SequenceLinker(options.linking, this.keys);
    this.linked = new IntervalCounter(
      c,
      this.registry,
      (row) => assembler.addLinked(row),
      (visit) => this.out.visits.push(visit),
    );
    this.statics = new StaticDetector(
      options.static,
      (obs, entry) => this.release(obs, entry),
      (key) => this.out.staticKeys.push(key),
      this.keys,
    );
  }

  /** One observation; times must not go backwards (a late one is counted at the latest time seen). */
  push(input: Observation): void {
    if (this.finished) throw new Error('pipeline already flushed');
    const obs = input.t < this.lastT ? { ...input, t: this.lastT } : input;
    this.lastT = obs.t;
    const first = !this.started;
    this.started = true;
    const interval = Math.floor(obs.t / this.options.counting.intervalSeconds);
    this.registry.register(obs.sensor, interval);
    if (first) this.begin(interval);
    const entry = this.keys.resolve(obs.key, obs.t);
    if (this.raw instanceof DistinctKeyCounter) this.raw.observe(obs, entry);
    else this.raw.counter.observe(obs, this.raw.keys.assign(obs));
    if (this.signal.accept(obs)) this.statics.push(obs, entry);
    else this.statics.advance(obs.t);
    const horizon = this.statics.horizon(obs.t);
    this.filtered?.closeBefore(horizon);
    this.linked.closeBefore(horizon);
  }

  pushAll(observations: Iterable<Observation>): void {
    for (const obs of observations) this.push(obs);
  }

  /** End of input: releases what lookahead held and closes the last interval and every visit. */
  flush(): void {
    if (this.finished) return;
    this.finished = true;
    this.signal.finish();
    if (this.lastT === Number.NEGATIVE_INFINITY) return;
    this.statics.finish();
    const last = Math.floor(this.lastT / this.options.counting.intervalSeconds);
    if (this.raw instanceof DistinctKeyCounter) this.raw.finish(last);
    else this.raw.counter.finish(last);
    this.filtered?.finish(last);
    this.linked.finish(last);
  }

  /** What was produced since the last drain. */
  drain(): PipelineOutput {
    const out = this.out;
    this.out = emptyOutput();
    return out;
  }

  private begin(interval: number): void {
    if (this.raw instanceof DistinctKeyCounter) this.raw.begin(interval);
    else this.raw.counter.begin(interval);
    this.filtered?.begin(interval);
    this.linked.begin(interval);
  }

  private release(obs: Observation, entry: KeyEntry): void {
    if (this.filtered !== undefined && this.filteredKeys !== undefined) this.filtered.observe(obs, this.filteredKeys.assign(obs));
    this.linked.observe(obs, this.linker.assign(obs, entry));
  }
}

export function createPipeline(options: PipelineOptionsInput | PipelineOptions = {}): StreamingPipeline {
  return new StreamingPipeline(options);
}
