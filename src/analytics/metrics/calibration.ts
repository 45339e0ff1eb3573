import { accuracyOf, applyFit, calibrate, type Accuracy, type CalibrationMethod, type Fit, type Pair } from '../pipeline/calibration.js';
import type { Bucket } from './buckets.js';
import { seriesOf } from './series.js';
import type { SessionRecord } from './session.js';

export type CountKind = 'footfall' | 'occupancy';

export interface ManualCount {
  start: number;
  count: number;
}

export interface CalibrationReport {
  kind: CountKind;
  intervalSeconds: number;
  counts: number;
  /** Counts before this fit; later ones measure accuracy. null: all do both (in-sample). */
  calibrateUntil: number | null;
  method: CalibrationMethod;
  /** The fit the metrics apply, or null when none could be made (say why in `reason`). */
  fit: Fit | null;
  factor: number | null;
  linear: { a: number; b: number } | null;
  looMae: { factor: number | null; linear: number | null };
  /** Error of the estimate before and after calibration, on the scored counts. */
  accuracy: { inSample: boolean; raw: Accuracy; calibrated: Accuracy | null };
  reason?: string;
}

/**
 * Fits the dashboard's own estimate (footfall or occupancy from sessions) to
 * manual counts, so a calibrated figure maps exactly what is shown. Pure:
 * sessions and counts in, report out.
 */
export function calibrateSessions(input: {
  sessions: readonly SessionRecord[];
  counts: readonly ManualCount[];
  kind: CountKind;
  intervalSeconds: number;
  calibrateUntil: number | null;
  method: CalibrationMethod;
}): CalibrationReport {
  const { kind, intervalSeconds, calibrateUntil } = input;
  const counts = [...input.counts].sort((a, b) => a.start - b.start);
  const buckets: Bucket[] = counts.map((c) => ({ start: c.start, end: c.start + intervalSeconds }));
  const series = seriesOf(input.sessions, buckets);
  const pairs = counts.map((c, i): Pair & { start: number } => ({ start: c.start, estimate: series[i]?.[kind] ?? 0, truth: c.count }));
  const fitPairs = calibrateUntil === null ? pairs : pairs.filter((p) => p.start + intervalSeconds <= calibrateUntil);
  const scored = calibrateUntil === null ? pairs : pairs.filter((p) => p.start >= calibrateUntil);
  const fitted = calibrate(fitPairs, input.method);
  const fit = fitted.chosen ?? null;
  return {
    kind,
    intervalSeconds,
    counts: counts.length,
    calibrateUntil,
    method: input.method,
    fit,
    factor: fitted.factor?.factor ?? null,
    linear: fitted.linear ? { a: fitted.linear.a, b: fitted.linear.b } : null,
    looMae: fitted.looMae,
    accuracy: {
      inSample: calibrateUntil === null,
      raw: accuracyOf(scored),
      calibrated: fit === null ? null : accuracyOf(scored.map((p) => ({ estimate: applyFit(fit, p.estimate), truth: p.truth }))),
    },
    ...(fit === null ? { reason: fitPairs.length === 0 ? 'no counts before calibrateUntil' : 'the estimates are 0 where counted, or do not rise with the counts' } : {}),
  };
}

/**
 * A fit applied to a bucket of another length: footfall adds up over time, so
 * a linear fit's background scales with the bucket; occupancy is a level and
 * does not. Never below zero.
 */
export function applyCalibration(fit: Fit, kind: CountKind, estimate: number, bucketSeconds: number, fitIntervalSeconds: number): number {
  if (fit.method === 'factor' || kind === 'occupancy') return applyFit(fit, estimate);
  return Math.max(0, fit.a * estimate + fit.b * (bucketSeconds / fitIntervalSeconds));
}
