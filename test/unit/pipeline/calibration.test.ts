import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accuracyOf, applyFit, calibrate, fitFactor, fitLinear, type Pair } from '../../../src/analytics/pipeline/calibration.js';
import { parseGroundTruth, truthByInterval } from '../../../src/analytics/pipeline/ground-truth.js';
import { calibrateAndScore } from '../../../src/analytics/pipeline/report.js';
import type { IntervalRow, StageRow } from '../../../src/analytics/pipeline/rows.js';
import { AppError } from '../../../src/shared/errors.js';
import { T0 } from './factories.js';

const close = (actual: number | null | undefined, expected: number, message?: string): void => {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9, `${message ?? ''} ${actual} != ${expected}`);
};

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('expected an AppError');
}

describe('calibration', () => {
  it('fits the paper factor as the mean of manual / estimate, skipping zero estimates', () => {
    const fit = fitFactor([
      { estimate: 10, truth: 5 },
      { estimate: 20, truth: 12 },
      { estimate: 0, truth: 3 },
    ]);
    close(fit?.factor, (0.5 + 0.6) / 2);
    assert.equal(fit?.n, 2);
  });

  it('removes a constant background with the linear fit, clamped at zero', () => {
    // A bus stop keeps 10 devices in range whoever passes: manual = 2 x (estimate - 10).
    const pairs: Pair[] = [12, 15, 20, 25, 30, 40].map((estimate) => ({ estimate, truth: 2 * estimate - 20 }));
    const linear = fitLinear(pairs)!;
    close(linear.a, 2);
    close(linear.b, -20);
    assert.equal(applyFit(linear, 5), 0, 'no negative people');
    const chosen = calibrate(pairs).chosen;
    assert.equal(chosen?.method, 'linear', 'auto picks the fit that generalises better');
    // The factor cannot remove it: its error stays.
    const factor = fitFactor(pairs)!;
    assert.ok(Math.abs(applyFit(factor, 12) - 4) > 3);
  });

  it('never fits a positive intercept: counts of little spread give a line through the origin', () => {
    // All afternoon 15-17 people while the estimate wanders 30-60: OLS says "16 people whatever the estimate".
    const flat: Pair[] = [30, 45, 60, 38, 52].map((estimate, i) => ({ estimate, truth: 15 + (i % 3) }));
    const linear = fitLinear(flat)!;
    assert.equal(linear.b, 0);
    close(linear.a, flat.reduce((s, p) => s + p.estimate * p.truth, 0) / flat.reduce((s, p) => s + p.estimate ** 2, 0));
    assert.ok(applyFit(linear, 2) < 1, 'an empty room stays nearly empty');
  });

  it('picks the paper factor on a tie and when a linear fit is not possible', () => {
    const proportional: Pair[] = [10, 20, 30, 40].map((estimate) => ({ estimate, truth: estimate / 4 }));
    assert.equal(calibrate(proportional).chosen?.method, 'factor');
    assert.equal(fitLinear(proportional.slice(0, 2)), undefined, 'two points: no linear fit');
    assert.equal(fitLinear([10, 10, 10].map((estimate, i) => ({ estimate, truth: i }))), undefined, 'no spread');
    assert.equal(fitLinear([10, 20, 30].map((estimate) => ({ estimate, truth: 100 - estimate }))), undefined, 'falling');
    assert.equal(calibrate([], 'linear').chosen, undefined);
    assert.equal(calibrate(proportional.slice(0, 2), 'linear').chosen?.method, 'factor', 'linear asked for, not possible: the factor');
  });

  it('reports absolute MAPE without the intervals counted as zero, and says how many', () => {
    const accuracy = accuracyOf([
      { estimate: 12, truth: 10 },
      { estimate: 6, truth: 8 },
      { estimate: 3, truth: 0 },
    ]);
    close(accuracy.mape, (20 + 25) / 2);
    assert.equal(accuracy.zeroTruthExcluded, 1);
    close(accuracy.mae, (2 + 2 + 3) / 3);
    close(accuracy.wape, (100 * 7) / 18);
    close(accuracy.bias, (2 - 2 + 3) / 3);
    assert.equal(accuracyOf([{ estimate: 1, truth: 0 }]).mape, null);
    assert.equal(accuracyOf([]).mae, null);
  });
});

describe('ground truth', () => {
  it('reads epoch seconds and ISO 8601 (local to the zone without an offset), ignoring other columns', () => {
    const rows = parseGroundTruth(
      ['start,count,note', '1710420600,17,first', '', '2024-03-14T13:55:00Z,16', '2024-03-14 15:00:00,"15",local', '"2024-03-14T16:00:00+01:00",14'].join('\n'),
      'Europe/Prague',
    );
    assert.deepEqual(
      rows.map((r) => [r.start, r.value, r.line]),
      [
        [1710420600, 17, 2],
        [1710424500, 16, 4],
        [1710424800, 15, 5],
        [1710428400, 14, 6],
      ],
    );
    assert.equal(parseGroundTruth('start;count\n1710420600;3\n').length, 1, 'semicolons too');
  });

  it('refuses bad rows with their line number', () => {
    for (const [text, line] of [
      ['start,count\n1710420600,1\nyesterday,3', 3],
      ['start,count\n1710420600,-1', 2],
      ['start,count\n1710420600,', 2],
      ['start,count\n1710420600,many', 2],
      ['start,count\n', 1],
      ['', 1],
    ] as const) {
      const error = refusal(() => parseGroundTruth(text));
      assert.equal(error.code, 'GROUND_TRUTH_INVALID');
      assert.equal(error.details?.line, line, text);
      assert.match(error.message, new RegExp(`line ${line}`));
    }
  });

  it('sums footfall and averages occupancy when several counts fall in one interval', () => {
    const rows = parseGroundTruth(`start,count\n${T0},4\n${T0 + 60},6\n${T0 + 300},1`);
    assert.deepEqual([...truthByInterval(rows, 300, 'footfall')], [[T0 / 300, 10], [T0 / 300 + 1, 1]]);
    assert.deepEqual([...truthByInterval(rows, 300, 'occupancy')], [[T0 / 300, 5], [T0 / 300 + 1, 1]]);
  });
});

describe('calibrate and score', () => {
  // Manual = 2 x (estimate - 5): a background of 5 devices; the stage estimates shrink as filters act.
  const estimates = [10, 14, 8, 20, 12, 16, 9, 18];
  const rows: IntervalRow[] = estimates.map((e, i) => ({ start: T0 + i * 300, end: T0 + (i + 1) * 300, raw_macs: 3 * e, devices: e, passersby: e, visitors: 0, footfall: e, occupancy: e }));
  const stageRows: StageRow[] = rows.map((r) => ({
    start: r.start,
    end: r.end,
    raw: { devices: 3 * r.devices, footfall: 3 * r.footfall, occupancy: 3 * r.occupancy },
    filtered: { devices: r.devices + 2, footfall: r.footfall + 2, occupancy: r.occupancy + 2 },
    linked: { devices: r.devices, footfall: r.footfall, occupancy: r.occupancy },
  }));
  const truth = new Map(estimates.map((e, i) => [T0 / 300 + i, 2 * (e - 5)]));

  it('calibrates on counts before --calibrate-until and measures only after it, per stage', () => {
    const until = T0 + 5 * 300;
    const scored = calibrateAndScore({ rows, stageRows, truth, kind: 'footfall', intervalSeconds: 300, calibrateUntil: until });
    assert.equal(scored.calibration.method, 'linear');
    assert.equal(scored.calibration.intervals, 5);
    assert.deepEqual(scored.calibration.values, { footfall: 'calibrated', occupancy: 'raw' });
    close(scored.calibration.linear?.b, -10);
    assert.equal(scored.accuracy.n, 3);
    assert.equal(scored.accuracy.inSample, false);
    close(scored.accuracy.mape, 0);
    assert.ok(scored.accuracy.stages.raw!.mape! > scored.accuracy.stages.filtered!.mape!);
    assert.ok(scored.accuracy.stages.filtered!.mape! > scored.accuracy.stages.linked!.mape!);
    assert.deepEqual(
      scored.rows.map((r) => r.footfall),
      estimates.map((e) => 2 * (e - 5)),
    );
    assert.deepEqual(
      scored.rows.map((r) => r.occupancy),
      estimates,
    );
  });

  it('without --calibrate-until fits and scores on every count, and says it is in-sample', () => {
    const scored = calibrateAndScore({ rows, stageRows: [], truth, kind: 'occupancy', intervalSeconds: 300, method: 'factor' });
    assert.equal(scored.accuracy.inSample, true);
    assert.equal(scored.calibration.method, 'factor');
    assert.equal(scored.accuracy.n, 8);
    assert.deepEqual(Object.keys(scored.accuracy.stages), ['linked', 'calibrated']);
  });

  it('leaves the rows raw when no count comes before --calibrate-until, and counts uncovered intervals', () => {
    const extra = new Map([...truth, [T0 / 300 + 50, 3]]);
    const scored = calibrateAndScore({ rows, stageRows, truth: extra, kind: 'footfall', intervalSeconds: 300, calibrateUntil: T0 - 1 });
    assert.equal(scored.calibration.method, null);
    assert.match(scored.calibration.reason ?? '', /before --calibrate-until/);
    assert.deepEqual(scored.rows, rows);
    assert.equal(scored.accuracy.unmatched, 1);
    assert.equal(scored.accuracy.stages.calibrated, undefined);
  });
});
