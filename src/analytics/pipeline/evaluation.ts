import { accuracyOf, applyFit, calibrate, type Accuracy, type CalibrationMethod, type Pair } from './calibration.js';
import type { TruthKind } from './ground-truth.js';
import type { PipelineOutput } from './pipeline.js';

/** Which intervals (by index) calibrate and which are scored: a survey design. */
export interface Protocol {
  name: string;
  calibrate: (interval: number) => boolean;
  score: (interval: number) => boolean;
}

export interface Evaluation {
  protocol: string;
  stages: Partial<Record<'raw' | 'filtered' | 'linked' | 'calibrated', Accuracy>>;
  /** The fit, in words ("factor 0.41", "0.12x + 3.4"), or "none". */
  fit: string;
  /** The fit as a function (identity without one). */
  apply: (estimate: number) => number;
}

/**
 * Accuracy per stage of a pipeline run (with `stages`) against manual counts per interval index,
 * calibrated on the intervals `protocol.calibrate` picks and scored on those `protocol.score` picks:
 * the same measures as `passby analyze`, for survey designs other than a single cut-off time.
 */
export function evaluate(out: PipelineOutput, truth: ReadonlyMap<number, number>, kind: TruthKind, intervalSeconds: number, protocol: Protocol, method: CalibrationMethod): Evaluation {
  const index = (start: number): number => Math.floor(start / intervalSeconds);
  const rows = out.stageRows.filter((row) => truth.has(index(row.start)));
  const pairs = (pick: (i: number) => boolean, stage: 'raw' | 'filtered' | 'linked'): Pair[] =>
    rows.filter((row) => pick(index(row.start))).map((row) => ({ estimate: row[stage][kind], truth: truth.get(index(row.start)) ?? 0 }));
  const fit = calibrate(pairs(protocol.calibrate, 'linked'), method).chosen;
  const apply = (x: number): number => (fit === undefined ? x : applyFit(fit, x));
  const stages: Evaluation['stages'] = {
    raw: accuracyOf(pairs(protocol.score, 'raw')),
    filtered: accuracyOf(pairs(protocol.score, 'filtered')),
    linked: accuracyOf(pairs(protocol.score, 'linked')),
  };
  if (fit !== undefined) stages.calibrated = accuracyOf(pairs(protocol.score, 'linked').map((p) => ({ estimate: apply(p.estimate), truth: p.truth })));
  const words = fit === undefined ? 'none' : fit.method === 'factor' ? `factor ${fit.factor.toFixed(3)}` : `${fit.a.toFixed(3)}x ${fit.b < 0 ? '-' : '+'} ${Math.abs(fit.b).toFixed(2)}`;
  return { protocol: protocol.name, stages, fit: words, apply };
}

const entropy = (counts: Iterable<number>, total: number): number => {
  let h = 0;
  for (const n of counts) if (n > 0) h -= (n / total) * Math.log(n / total);
  return h;
};

/** Each label as a small integer, in order of first appearance. */
function codes(labels: readonly (string | number)[]): { codes: number[]; counts: number[] } {
  const seen = new Map<string | number, number>();
  const counts: number[] = [];
  const out = labels.map((label) => {
    let code = seen.get(label);
    if (code === undefined) {
      code = seen.size;
      seen.set(label, code);
      counts.push(0);
    }
    counts[code] = (counts[code] ?? 0) + 1;
    return code;
  });
  return { codes: out, counts };
}

/**
 * Homogeneity, completeness and V-measure of a clustering (Rosenberg & Hirschberg 2007, as
 * scikit-learn computes them): homogeneity 1 when no predicted device mixes real ones, completeness 1
 * when no real device is split.
 */
export function vMeasure(truth: readonly (string | number)[], predicted: readonly (string | number)[]): { homogeneity: number; completeness: number; v: number } {
  const n = truth.length;
  if (n === 0 || predicted.length !== n) throw new RangeError('two labellings of the same items expected');
  const c = codes(truth);
  const k = codes(predicted);
  const joint = new Map<number, number>();
  c.codes.forEach((ci, i) => {
    const key = ci * k.counts.length + (k.codes[i] ?? 0);
    joint.set(key, (joint.get(key) ?? 0) + 1);
  });
  let hCgivenK = 0;
  let hKgivenC = 0;
  for (const [key, count] of joint) {
    const nC = c.counts[Math.floor(key / k.counts.length)] ?? count;
    const nK = k.counts[key % k.counts.length] ?? count;
    hCgivenK -= (count / n) * Math.log(count / nK);
    hKgivenC -= (count / n) * Math.log(count / nC);
  }
  const hC = entropy(c.counts, n);
  const hK = entropy(k.counts, n);
  const homogeneity = hC === 0 ? 1 : 1 - hCgivenK / hC;
  const completeness = hK === 0 ? 1 : 1 - hKgivenC / hK;
  const v = homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, v };
}
