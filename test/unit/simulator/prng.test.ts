import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../../src/analytics/simulator/prng.js';

const draw = (seed: string, n: number): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('seeded PRNG', () => {
  it('repeats exactly for a seed and differs between seeds', () => {
    assert.deepEqual(draw('7', 100), draw('7', 100));
    assert.notDeepEqual(draw('7', 100), draw('8', 100));
  });

  it('forks streams from the seed key, not from how much the parent consumed', () => {
    const a = createRng('1');
    const b = createRng('1');
    for (let i = 0; i < 50; i++) b.next();
    assert.equal(a.fork('person', 3).next(), b.fork('person', 3).next());
    assert.notEqual(a.fork('person', 3).next(), a.fork('person', 4).next());
  });

  it('draws uniform values in [0, 1) and distributions with the right means', () => {
    const rng = createRng('stats');
    const n = 50_000;
    let uniform = 0;
    let exponential = 0;
    let normal = 0;
    let normalSq = 0;
    let poisson = 0;
    const logNormal: number[] = [];
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      assert.ok(u >= 0 && u < 1);
      uniform += u;
      exponential += rng.exponential(30);
      const z = rng.normal(-70, 5);
      normal += z;
      normalSq += (z + 70) ** 2;
      poisson += rng.poisson(2.5);
      logNormal.push(rng.logNormal(12, 0.7));
    }
    assert.ok(Math.abs(uniform / n - 0.5) < 0.01);
    assert.ok(Math.abs(exponential / n - 30) < 1);
    assert.ok(Math.abs(normal / n + 70) < 0.1);
    assert.ok(Math.abs(Math.sqrt(normalSq / n) - 5) < 0.1);
    assert.ok(Math.abs(poisson / n - 2.5) < 0.05);
    logNormal.sort((x, y) => x - y);
    assert.ok(Math.abs((logNormal[n / 2] ?? 0) - 12) < 0.4, 'log-normal median');
  });

  it('picks by weight', () => {
    const rng = createRng('weights');
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 20_000; i++) counts[rng.weighted(['a', 'b'] as const, (x) => (x === 'a' ? 3 : 1))] += 1;
    assert.ok(Math.abs(counts.a / 20_000 - 0.75) < 0.02);
  });
});
