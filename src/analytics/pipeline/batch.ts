import { DistinctKeyCounter } from './distinct-counter.js';
import { IntervalCounter, SensorRegistry, type CountRow } from './interval-counter.js';
import type { Observation } from './observation.js';
import { resolveOptions, type CountOptions, type PipelineOptions, type PipelineOptionsInput } from './options.js';
import { emptyOutput, type PipelineOutput } from './pipeline.js';
import { RowAssembler } from './rows.js';
import { filterBySignal } from './rssi-threshold.js';
import { linkObservations, type Device } from './sequence-link.js';
import { removeStaticDevices } from './static-devices.js';
import type { VisitRecord } from './visits.js';

/** Sensors of time-sorted observations, each with the interval it first appears in. */
export function sensorRegistryOf(observations: readonly Observation[], intervalSeconds: number): SensorRegistry {
  const registry = new SensorRegistry();
  for (const obs of observations) registry.register(obs.sensor, Math.floor(obs.t / intervalSeconds));
  return registry;
}

export interface CountRange {
  /** First and last interval index to report (inclusive). */
  first: number;
  last: number;
}

/**
 * Batch counting of one stage: rows for every interval of `range` (site, then sensors), and the
 * closed visits. `devices[i]` is the device of `observations[i]` (time-sorted).
 */
export function countIntervals(
  observations: readonly Observation[],
  devices: readonly Device[],
  options: CountOptions,
  registry: SensorRegistry,
  range: CountRange,
): { rows: CountRow[]; visits: VisitRecord[] } {
  const rows: CountRow[] = [];
  const visits: VisitRecord[] = [];
  const counter = new IntervalCounter(options, registry, (row) => rows.push(row), (visit) => visits.push(visit));
  counter.begin(range.first);
  if (devices.length !== observations.length) throw new RangeError('one device per observation expected');
  observations.forEach((obs, i) => {
    const device = devices[i];
    if (device !== undefined) counter.observe(obs, device);
  });
  counter.finish(range.last);
  return { rows, visits };
}

/** Batch `raw_macs`: distinct keys per interval, site then sensors. */
export function countDistinctKeys(observations: readonly Observation[], registry: SensorRegistry, range: CountRange, intervalSeconds: number): CountRow[] {
  const rows: CountRow[] = [];
  const counter = new DistinctKeyCounter(intervalSeconds, registry, (row) => rows.push(row));
  counter.begin(range.first);
  for (const obs of observations) counter.observe(obs);
  counter.finish(range.last);
  return rows;
}

/** The stages one after another over whole arrays: signal filter, static removal, linking, counting. */
function runStages(sorted: readonly Observation[], start: number, end: number, options: PipelineOptions, out: PipelineOutput): void {
  const c = options.counting;
  const range = { first: Math.floor(start / c.intervalSeconds), last: Math.floor(end / c.intervalSeconds) };
  const registry = sensorRegistryOf(sorted, c.intervalSeconds);
  const unlinked = { ...options.linking, enabled: false };
  const raw = options.stages ? countIntervals(sorted, linkObservations(sorted, unlinked), c, registry, range).rows : countDistinctKeys(sorted, registry, range, c.intervalSeconds);
  const signal = filterBySignal(sorted, options.signal);
  out.thresholds = signal.thresholds;
  const statics = options.static.enabled ? removeStaticDevices(signal.kept, options.static, start) : { kept: signal.kept, staticKeys: [] };
  out.staticKeys = statics.staticKeys;
  const kept = statics.kept;
  const linked = countIntervals(kept, linkObservations(kept, options.linking), c, registry, range);
  out.visits = linked.visits;
  const assembler = new RowAssembler(
    options.stages,
    (row) => out.rows.push(row),
    (row) => out.sensorRows.push(row),
    (row) => out.stageRows.push(row),
  );
  for (const row of raw) assembler.addRaw(row);
  if (options.stages) for (const row of countIntervals(kept, linkObservations(kept, unlinked), c, registry, range).rows) assembler.addFiltered(row);
  for (const row of linked.rows) assembler.addLinked(row);
}

/**
 * The whole pipeline over an array (sorted by time here, stably): the reference the streaming
 * composition must equal, and the simple entry point for files that fit in memory.
 */
export function analyzeObservations(observations: readonly Observation[], input: PipelineOptionsInput | PipelineOptions = {}): PipelineOutput {
  const options = resolveOptions(input);
  const out = emptyOutput();
  const sorted = [...observations].sort((a, b) => a.t - b.t);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first !== undefined && last !== undefined) runStages(sorted, first.t, last.t, options, out);
  return out;
}
