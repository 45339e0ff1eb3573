import { accuracyOf, applyFit, calibrate, type Accuracy, type CalibrationMethod, type Pair } from './calibration.js';
import type { TruthKind } from './ground-truth.js';
import type { IntervalRow, StageRow } from './rows.js';

export interface CalibrationReport {
  truthKind: TruthKind | null;
  /** The fit applied to `truthKind` in the rows, or null (rows hold raw estimates). */
  method: 'factor' | 'linear' | null;
  /** What the rows' footfall/occupancy are: only the metric the counts measure is calibrated. */
  values: { footfall: 'calibrated' | 'raw'; occupancy: 'calibrated' | 'raw' };
  /** Manual counts before this (epoch s) calibrate; accuracy is measured from it on. Null: all counts do both (in-sample). */
  calibrateUntil: number | null;
  /** Manual-count intervals used for the fit. */
  intervals: number;
  factor: { factor: number; n: number } | null;
  linear: { a: number; b: number; n: number } | null;
  looMae: { factor: number | null; linear: number | null };
  reason?: string;
}

export interface AccuracyReport extends Accuracy {
  /** True without --calibrate-until: measured on the counts the fit was made on. */
  inSample: boolean;
  /** Manual counts for intervals the input does not cover (left out). */
  unmatched: number;
  stages: Partial<Record<'raw' | 'filtered' | 'linked' | 'calibrated', Accuracy>>;
}

export interface ScoreInput {
  rows: readonly IntervalRow[];
  stageRows: readonly StageRow[];
  truth: ReadonlyMap<number, number>;
  kind: TruthKind;
  intervalSeconds: number;
  calibrateUntil?: number;
  method?: CalibrationMethod;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

const noCalibration = (reason: string, kind: TruthKind | null, until: number | null): CalibrationReport => ({
  truthKind: kind,
  method: null,
  values: { footfall: 'raw', occupancy: 'raw' },
  calibrateUntil: until,
  intervals: 0,
  factor: null,
  linear: null,
  looMae: { factor: null, linear: null },
  reason,
});

/** Rows unchanged and a report saying so: no manual counts were given. */
export function uncalibrated(): CalibrationReport {
  return noCalibration('no ground truth given', null, null);
}

/**
 * Calibrates the rows' `kind` metric on the manual counts before `calibrateUntil` and measures the
 * error from it on, per stage (raw -> filtered -> linked -> calibrated). Without `calibrateUntil`
 * every count is used for both, and the accuracy says it is in-sample.
 */
export function calibrateAndScore(input: ScoreInput): { rows: IntervalRow[]; calibration: CalibrationReport; accuracy: AccuracyReport } {
  const { kind, intervalSeconds, truth } = input;
  const until = input.calibrateUntil;
  const indexOf = (row: { start: number }): number => Math.floor(row.start / intervalSeconds);
  const fitRows = input.rows.filter((row) => truth.has(indexOf(row)) && (until === undefined || row.end <= until));
  const scored = input.rows.filter((row) => truth.has(indexOf(row)) && (until === undefined || row.start >= until));
  const pairsOf = (rows: readonly IntervalRow[], value: (row: IntervalRow) => number): Pair[] =>
    rows.map((row) => ({ estimate: value(row), truth: truth.get(indexOf(row)) ?? 0 }));

  const fitted = calibrate(pairsOf(fitRows, (row) => row[kind]), input.method);
  const fit = fitted.chosen;
  const calibration: CalibrationReport =
    fit === undefined
      ? noCalibration(fitRows.length === 0 ? 'no manual counts before --calibrate-until' : 'the estimates are 0 where counted', kind, until ?? null)
      : {
          truthKind: kind,
          method: fit.method,
          values: { footfall: kind === 'footfall' ? 'calibrated' : 'raw', occupancy: kind === 'occupancy' ? 'calibrated' : 'raw' },
          calibrateUntil: until ?? null,
          intervals: fitRows.length,
          factor: fitted.factor === undefined ? null : { factor: fitted.factor.factor, n: fitted.factor.n },
          linear: fitted.linear === undefined ? null : { a: fitted.linear.a, b: fitted.linear.b, n: fitted.linear.n },
          looMae: fitted.looMae,
        };
  const rows = fit === undefined ? [...input.rows] : input.rows.map((row) => ({ ...row, [kind]: round(applyFit(fit, row[kind])) }));

  const covered = new Set(input.rows.map(indexOf));
  let unmatched = 0;
  for (const index of truth.keys()) {
    const start = index * intervalSeconds;
    if (!covered.has(index) && (until === undefined || start >= until)) unmatched += 1;
  }
  const stageByStart = new Map(input.stageRows.map((row) => [row.start, row]));
  const stages: AccuracyReport['stages'] = {};
  if (stageByStart.size > 0) {
    for (const stage of ['raw', 'filtered', 'linked'] as const) {
      stages[stage] = accuracyOf(pairsOf(scored, (row) => stageByStart.get(row.start)?.[stage][kind] ?? 0));
    }
  } else {
    stages.linked = accuracyOf(pairsOf(scored, (row) => row[kind]));
  }
  if (fit !== undefined) stages.calibrated = accuracyOf(pairsOf(scored, (row) => applyFit(fit, row[kind])));
  const main = stages.calibrated ?? stages.linked ?? accuracyOf([]);
  return { rows, calibration, accuracy: { ...main, inSample: until === undefined, unmatched, stages } };
}
