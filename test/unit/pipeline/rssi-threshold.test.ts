import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_OPTIONS, type SignalOptions } from '../../../src/analytics/pipeline/options.js';
import { filterBySignal, quantileBreak, RSSI_BINS, rssiBin, SignalFilter, twoMeansBreak } from '../../../src/analytics/pipeline/rssi-threshold.js';
import { prng } from './synthetic.js';
import { obs, T0 } from './factories.js';

function histogramOf(values: number[]): Int32Array {
  const h = new Int32Array(RSSI_BINS);
  for (const v of values) h[rssiBin(v)]! += 1;
  return h;
}

/** Independent reference: every split of the sorted values, within-class sum of squares. */
function bruteForceBreak(values: number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  let best = Number.POSITIVE_INFINITY;
  let cut: number | undefined;
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i] === sorted[i - 1]) continue;
    const ss = (xs: number[]): number => {
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      return xs.reduce((s, x) => s + (x - m) ** 2, 0);
    };
    const total = ss(sorted.slice(0, i)) + ss(sorted.slice(i));
    if (total < best - 1e-9) {
      best = total;
      cut = sorted[i];
    }
  }
  return cut;
}

const signal = (overrides: Partial<SignalOptions> = {}): SignalOptions => ({ ...DEFAULT_OPTIONS.signal, ...overrides });

describe('RSSI threshold', () => {
  it('splits bimodal signal between the weak (outside) and strong (inside) classes', () => {
    const random = prng(3);
    const weak = Array.from({ length: 2000 }, () => Math.round(-88 + (random() - 0.5) * 12));
    const strong = Array.from({ length: 700 }, () => Math.round(-52 + (random() - 0.5) * 16));
    const cut = twoMeansBreak(histogramOf([...weak, ...strong]));
    assert.ok(cut !== undefined && cut > -82 && cut <= -60, `break ${cut}`);
    assert.ok(weak.every((v) => v < cut) && strong.every((v) => v >= cut));
  });

  it('is the exact two-class k-means optimum, checked by brute force', () => {
    const random = prng(11);
    for (let round = 0; round < 40; round += 1) {
      const values = Array.from({ length: 5 + Math.floor(random() * 60) }, () => -100 + Math.floor(random() * 70));
      assert.equal(twoMeansBreak(histogramOf(values)), bruteForceBreak(values), `round ${round}`);
    }
  });

  it('has no break with fewer than two distinct values', () => {
    assert.equal(twoMeansBreak(histogramOf([])), undefined);
    assert.equal(twoMeansBreak(histogramOf([-60, -60, -60])), undefined);
  });

  it('finds the quantile break', () => {
    const values = [-90, -80, -70, -60, -50];
    assert.equal(quantileBreak(histogramOf(values), 0.5), -70);
    assert.equal(quantileBreak(histogramOf(values), 0.2), -90);
    assert.equal(quantileBreak(histogramOf([]), 0.5), undefined);
  });

  it('drops randomised probes below the break and keeps global-MAC ones, as the paper does', () => {
    const base = Array.from({ length: 300 }, (_, i) => obs({ t: T0 + i, rssi: i % 3 === 0 ? -50 : -90, key: `k${i}` }));
    const weakRandom = obs({ t: T0 + 400, rssi: -88, randomised: true });
    const weakGlobal = obs({ t: T0 + 401, rssi: -88, randomised: false });
    const strong = obs({ t: T0 + 402, rssi: -48, randomised: true });
    const run = (options: SignalOptions): boolean[] => {
      const filter = new SignalFilter(options);
      for (const o of base) filter.accept(o);
      return [weakRandom, weakGlobal, strong].map((o) => filter.accept(o));
    };
    assert.deepEqual(run(signal()), [false, true, true]);
    assert.deepEqual(run(signal({ dropGlobal: true })), [false, false, true]);
    assert.deepEqual(run(signal({ dropRandomised: false })), [true, true, true]);
    assert.deepEqual(run(signal({ method: 'off' })), [true, true, true]);
    assert.deepEqual(run(signal({ method: 'fixed', fixedDbm: -95 })), [true, true, true]);
    // Two thirds of the probes are at -90: the 0.7 quantile is the -50 class.
    assert.deepEqual(run(signal({ method: 'quantile', quantile: 0.7 })), [false, true, true]);
    assert.deepEqual(run(signal({ method: 'quantile', quantile: 0.5 })), [true, true, true]);
  });

  it('drops nothing until the window holds minSamples probes, and uses only earlier probes', () => {
    const early = Array.from({ length: 50 }, (_, i) => obs({ t: T0 + i, rssi: i % 2 === 0 ? -90 : -40 }));
    const { kept } = filterBySignal(early, signal({ minSamples: 200 }));
    assert.equal(kept.length, 50);
    // The break is recomputed once a minute from what came before: the first minute keeps all.
    const { kept: firstMinute, thresholds } = filterBySignal(early, signal({ minSamples: 10 }));
    assert.equal(firstMinute.length, 50);
    assert.equal(thresholds.length, 1);
  });

  it('follows a change of conditions as hourly buckets leave the rolling window', () => {
    const options = signal({ windowBuckets: 2, minSamples: 50 });
    const hour = (h: number, weak: number, strong: number) =>
      Array.from({ length: 360 }, (_, i) => obs({ t: T0 + h * 3600 + i * 10, rssi: i % 2 === 0 ? weak : strong, key: `h${h}-${i}` }));
    // Hours 0-1: street at -90, inside at -60. Hours 2-5: a new sensor spot: street at -70, inside at -40.
    const input = [...hour(0, -90, -60), ...hour(1, -90, -60), ...[2, 3, 4, 5].flatMap((h) => hour(h, -70, -40))];
    const { thresholds } = filterBySignal(input, options);
    const at = (h: number) => thresholds.find((r) => r.start === T0 + h * 3600)?.break;
    assert.equal(at(1), -60);
    // Hour 3's window is hours 2-3 only: the old -90/-60 data has left it.
    assert.equal(at(3), -40);
    assert.equal(at(5), -40);
  });
});
