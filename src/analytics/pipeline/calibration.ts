/** An estimate next to the manual count of the same interval. */
export interface Pair {
  estimate: number;
  truth: number;
}

/** The paper's calibration: people per counted device, the mean of manual / estimate. */
export interface FactorFit {
  method: 'factor';
  factor: number;
  /** Intervals used (those with a non-zero estimate). */
  n: number;
}

/** Least squares manual ≈ a·estimate + b, b <= 0: b removes a constant background (a bus stop, a café). */
export interface LinearFit {
  method: 'linear';
  a: number;
  b: number;
  n: number;
}

export type Fit = FactorFit | LinearFit;
export type CalibrationMethod = 'factor' | 'linear' | 'auto';

export function fitFactor(pairs: readonly Pair[]): FactorFit | undefined {
  const used = pairs.filter((p) => p.estimate > 0);
  if (used.length === 0) return undefined;
  const factor = used.reduce((sum, p) => sum + p.truth / p.estimate, 0) / used.length;
  return { method: 'factor', factor, n: used.length };
}

/**
 * Least squares with b <= 0: the intercept is a background of devices to take away (b = -a x
 * background), never people counted without devices, which is what a positive intercept fitted on
 * counts of little spread really means (it turns "17 people all afternoon" into 11 people at night).
 * With b > 0 unconstrained, the constrained optimum is the line through the origin. Undefined with
 * fewer than 3 intervals, no spread in the estimates, or a slope that is not positive.
 */
export function fitLinear(pairs: readonly Pair[]): LinearFit | undefined {
  const n = pairs.length;
  if (n < 3) return undefined;
  const meanX = pairs.reduce((s, p) => s + p.estimate, 0) / n;
  const meanY = pairs.reduce((s, p) => s + p.truth, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let xx = 0;
  let xy = 0;
  for (const p of pairs) {
    sxx += (p.estimate - meanX) ** 2;
    sxy += (p.estimate - meanX) * (p.truth - meanY);
    xx += p.estimate * p.estimate;
    xy += p.estimate * p.truth;
  }
  // A flat or falling fit means the estimate does not track the counts: no calibration beats a wrong one.
  if (sxx === 0 || !(sxy > 0)) return undefined;
  const a = sxy / sxx;
  const b = meanY - a * meanX;
  return b > 0 ? { method: 'linear', a: xy / xx, b: 0, n } : { method: 'linear', a, b, n };
}

/** The calibrated value; a linear fit is clamped at 0 (no negative people). */
export function applyFit(fit: Fit, estimate: number): number {
  return fit.method === 'factor' ? fit.factor * estimate : Math.max(0, fit.a * estimate + fit.b);
}

const fitWith = (method: 'factor' | 'linear', pairs: readonly Pair[]): Fit | undefined => (method === 'factor' ? fitFactor(pairs) : fitLinear(pairs));

/**
 * Leave-one-out mean absolute error of a method on the calibration intervals: how it does on an
 * interval it was not fitted on, so a two-parameter fit is not favoured just for having more freedom.
 */
export function leaveOneOutError(method: 'factor' | 'linear', pairs: readonly Pair[]): number | undefined {
  let sum = 0;
  let n = 0;
  for (const [i, pair] of pairs.entries()) {
    const fit = fitWith(method, [...pairs.slice(0, i), ...pairs.slice(i + 1)]);
    if (fit === undefined) return undefined;
    sum += Math.abs(applyFit(fit, pair.estimate) - pair.truth);
    n += 1;
  }
  return n === 0 ? undefined : sum / n;
}

export interface Calibration {
  /** The fit applied, or undefined when none could be made. */
  chosen: Fit | undefined;
  factor: FactorFit | undefined;
  linear: LinearFit | undefined;
  /** Leave-one-out MAE of each method on the calibration intervals (how `auto` chose). */
  looMae: { factor: number | null; linear: number | null };
}

/** Both fits, and the one `method` picks ('auto': the lower leave-one-out error, the paper's factor on a tie). */
export function calibrate(pairs: readonly Pair[], method: CalibrationMethod = 'auto'): Calibration {
  const factor = fitFactor(pairs);
  const linear = fitLinear(pairs);
  const looFactor = leaveOneOutError('factor', pairs) ?? null;
  const looLinear = leaveOneOutError('linear', pairs) ?? null;
  let chosen: Fit | undefined;
  if (method === 'factor') chosen = factor;
  else if (method === 'linear') chosen = linear ?? factor;
  // Linear only when clearly better: a tie (within rounding) goes to the simpler, published method.
  else chosen = linear !== undefined && looLinear !== null && (looFactor === null || looLinear < looFactor - 1e-9 * (1 + looFactor)) ? linear : factor;
  return { chosen, factor, linear, looMae: { factor: looFactor, linear: looLinear } };
}

export interface Accuracy {
  /** Mean absolute percentage error, %, over intervals with a non-zero manual count; null if none. */
  mape: number | null;
  /** Intervals left out of the MAPE because the manual count was 0. */
  zeroTruthExcluded: number;
  /** Mean absolute error (all intervals), people. */
  mae: number | null;
  /** Weighted APE: sum |error| / sum truth, % (all intervals; stable when counts are small). */
  wape: number | null;
  /** Mean signed error, people (+ over-counts). */
  bias: number | null;
  n: number;
}

export function accuracyOf(pairs: readonly Pair[]): Accuracy {
  let ape = 0;
  let apeN = 0;
  let absolute = 0;
  let signed = 0;
  let truthSum = 0;
  for (const p of pairs) {
    const error = p.estimate - p.truth;
    absolute += Math.abs(error);
    signed += error;
    truthSum += p.truth;
    if (p.truth !== 0) {
      ape += Math.abs(error) / Math.abs(p.truth);
      apeN += 1;
    }
  }
  const n = pairs.length;
  return {
    mape: apeN === 0 ? null : (100 * ape) / apeN,
    zeroTruthExcluded: n - apeN,
    mae: n === 0 ? null : absolute / n,
    wape: truthSum === 0 ? null : (100 * absolute) / truthSum,
    bias: n === 0 ? null : signed / n,
    n,
  };
}
