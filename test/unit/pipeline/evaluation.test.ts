import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeObservations } from '../../../src/analytics/pipeline/batch.js';
import { evaluate, vMeasure } from '../../../src/analytics/pipeline/evaluation.js';
import { every, T0 } from './factories.js';

const near = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

describe('evaluation', () => {
  it('scores a clustering as scikit-learn does', () => {
    const split = vMeasure([0, 0, 1, 1], [0, 0, 1, 2]);
    near(split.homogeneity, 1);
    near(split.completeness, 2 / 3);
    near(split.v, 0.8);
    near(vMeasure(['a', 'a', 'b'], [7, 7, 9]).v, 1);
    const merged = vMeasure(['a', 'b', 'c'], [1, 1, 1]);
    near(merged.homogeneity, 0);
    near(merged.completeness, 1);
    assert.throws(() => vMeasure([1], [1, 2]), RangeError);
  });

  it('calibrates and scores each stage on the intervals a survey design picks', () => {
    // Two people in the first half hour, then four: one device each.
    const input = [...every('a', T0, T0 + 3600, 30), ...every('b', T0, T0 + 3600, 30), ...every('c', T0 + 1800, T0 + 3600, 30), ...every('d', T0 + 1800, T0 + 3600, 30)];
    const out = analyzeObservations(input, { stages: true, static: { enabled: false } });
    const truth = new Map(out.rows.map((r) => [r.start / 300, r.start < T0 + 1800 ? 2 : 4]));
    const evenOdd = { name: 'even/odd', calibrate: (i: number) => i % 2 === 0, score: (i: number) => i % 2 === 1 };
    const e = evaluate(out, truth, 'occupancy', 300, evenOdd, 'factor');
    assert.equal(e.protocol, 'even/odd');
    const { calibrated, linked } = e.stages;
    assert.ok(calibrated !== undefined && linked !== undefined);
    assert.equal(calibrated.n, 6);
    assert.ok((calibrated.mae ?? Infinity) <= (linked.mae ?? 0));
    assert.match(e.fit, /^factor /);
    assert.equal(e.apply(0), 0);
  });
});
