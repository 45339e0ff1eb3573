import type { CalibrationReport, CountKind } from '../../analytics/metrics/calibration.js';
import type { StoredCalibration } from '../../analytics/metrics/calibration.repository.js';
import type { Accuracy, Fit } from '../../analytics/pipeline/calibration.js';
import { barChart } from './charts.js';
import { decimal, duration, localTime } from './format.js';

export const KIND_LABELS: Record<CountKind, string> = { footfall: 'Footfall', occupancy: 'Occupancy' };

const METHOD_LABELS: Record<CalibrationReport['method'], string> = { auto: 'Automatic', factor: 'Factor', linear: 'Linear' };

const signed = (value: number): string => (value < 0 ? `− ${decimal(-value)}` : `+ ${decimal(value)}`);
/** a × estimate + b; a zero background is left out. */
const line = (a: number, b: number): string => `${decimal(a, 3)} × estimate${b === 0 ? '' : ` ${signed(b)}`}`;
const pct = (value: number | null): string => (value === null ? '–' : `${value.toFixed(1)}%`);

/** The fit in words: what the dashboard multiplies (and subtracts). */
export function fitText(fit: Fit | null): string {
  if (fit === null) return 'None';
  if (fit.method === 'factor') return `Factor × ${decimal(fit.factor, 3)}`;
  return `Linear: ${line(fit.a, fit.b)}`;
}

function stage(name: string, accuracy: Accuracy) {
  return {
    stage: name,
    mape: pct(accuracy.mape),
    wape: pct(accuracy.wape),
    mae: decimal(accuracy.mae),
    bias: accuracy.bias === null ? '–' : signed(accuracy.bias),
    n: accuracy.n,
    zeros: accuracy.zeroTruthExcluded,
  };
}

function scoring(report: CalibrationReport, timeZone: string): string {
  const scored = report.accuracy.raw.n;
  if (report.accuracy.inSample) return `Scored on the same ${String(scored)} counts it was fitted on (in-sample): expect a larger error on other days.`;
  const until = report.calibrateUntil === null ? '' : localTime(report.calibrateUntil, timeZone);
  return `Fitted on the counts before ${until}, scored on the ${String(scored)} counts from then on.`;
}

/** One stored calibration: the fit, both candidate methods, and the error per stage (raw estimate, then calibrated). */
export function calibrationResult(stored: StoredCalibration, timeZone: string) {
  const { report } = stored;
  const label = KIND_LABELS[report.kind];
  const stages = [stage('Raw estimate', report.accuracy.raw), ...(report.accuracy.calibrated ? [stage('Calibrated', report.accuracy.calibrated)] : [])];
  const mapes = [report.accuracy.raw.mape, report.accuracy.calibrated?.mape ?? null];
  const chosen = report.fit?.method;
  return {
    kind: report.kind,
    label,
    fit: fitText(report.fit),
    reason: report.reason ?? null,
    method: METHOD_LABELS[report.method],
    scoring: scoring(report, timeZone),
    candidates: [
      { method: 'Factor', fit: report.factor === null ? 'Could not be fitted' : `× ${decimal(report.factor, 3)}`, loo: decimal(report.looMae.factor), chosen: chosen === 'factor' },
      { method: 'Linear', fit: report.linear === null ? 'Could not be fitted' : line(report.linear.a, report.linear.b), loo: decimal(report.looMae.linear), chosen: chosen === 'linear' },
    ],
    stages,
    chart: mapes.every((m) => m === null)
      ? null
      : barChart({
          title: `${label}: error before and after calibration (MAPE, %)`,
          description: `Mean absolute percentage error against the manual counts: raw ${pct(mapes[0] ?? null)}, calibrated ${pct(mapes[1] ?? null)}.`,
          bars: stages.map((s, i) => ({ label: s.stage, value: mapes[i] ?? 0 })),
          formatValue: (v) => `${v.toFixed(1)}%`,
        }),
  };
}

/** A row of the uploads list. */
export function uploadRow(stored: StoredCalibration, timeZone: string) {
  const starts = stored.counts.map((c) => c.start);
  const { report } = stored;
  return {
    kind: stored.kind,
    label: KIND_LABELS[stored.kind],
    uploaded: localTime(stored.uploadedAt.getTime() / 1000, timeZone),
    uploadedIso: stored.uploadedAt.toISOString(),
    counts: stored.counts.length,
    interval: duration(report.intervalSeconds),
    from: starts.length ? localTime(Math.min(...starts), timeZone) : '–',
    to: starts.length ? localTime(Math.max(...starts) + report.intervalSeconds, timeZone) : '–',
    fit: fitText(report.fit),
    mapeRaw: pct(report.accuracy.raw.mape),
    mapeCalibrated: pct(report.accuracy.calibrated?.mape ?? null),
  };
}
