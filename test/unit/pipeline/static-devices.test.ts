import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation } from '../../../src/analytics/pipeline/observation.js';
import { DEFAULT_OPTIONS, type StaticOptions } from '../../../src/analytics/pipeline/options.js';
import { removeStaticDevices, StaticDetector } from '../../../src/analytics/pipeline/static-devices.js';
import { byTime, every, T0 } from './factories.js';

const HOUR = 3600;
const options = (overrides: Partial<StaticOptions> = {}): StaticOptions => ({ ...DEFAULT_OPTIONS.static, ...overrides });
const keysOf = (list: Observation[]): Set<string> => new Set(list.map((o) => o.key));
const pc = (from: number, to: number): Observation[] => every('pc', from, to, 60, { randomised: false });

/** A working day: a fixed PC on for 5 h, a student's phone in the room 2 h, passers-by. */
function day(): Observation[] {
  const phone = every('phone', T0 + HOUR, T0 + 3 * HOUR, 150);
  const passers = Array.from({ length: 200 }, (_, i) => every(`p${i}`, T0 + i * 90, T0 + i * 90 + 60, 20)).flat();
  return [...pc(T0, T0 + 5 * HOUR), ...phone, ...passers].sort(byTime);
}

describe('static device removal', () => {
  it('removes a fixed PC from its first probe without being told its MAC, and keeps people', () => {
    const { kept, staticKeys } = removeStaticDevices(day(), options());
    assert.deepEqual(staticKeys, ['pc']);
    assert.ok(!keysOf(kept).has('pc'));
    assert.ok(keysOf(kept).has('phone'));
    assert.equal(keysOf(kept).size, 201);
  });

  it('in causal mode (no lookahead) removes the PC once its window is long enough', () => {
    const { kept } = removeStaticDevices(day(), options({ lookaheadSeconds: 0 }));
    const pcKept = kept.filter((o) => o.key === 'pc');
    // The window must cover minWindowSeconds (1.5 h) first.
    assert.ok(pcKept.length >= 80 && pcKept.length <= 92, `${pcKept.length} PC probes kept`);
    assert.ok(pcKept.every((o) => o.t < T0 + 1.6 * HOUR));
  });

  it('finds nothing static in a capture shorter than the minimum window', () => {
    const { staticKeys } = removeStaticDevices(pc(T0, T0 + HOUR), options());
    assert.deepEqual(staticKeys, []);
  });

  it('needs presence in most buckets: a phone probing every 5 minutes for hours is not static', () => {
    const { staticKeys } = removeStaticDevices(every('idle-phone', T0, T0 + 6 * HOUR, 300), options());
    assert.deepEqual(staticKeys, []);
  });

  it('remembers a static device for the hold time: the PC is removed at once the next morning', () => {
    const nextDay = T0 + 24 * HOUR;
    const input = [...pc(T0, T0 + 5 * HOUR), ...pc(nextDay, nextDay + 600)];
    const held = removeStaticDevices(input, options({ lookaheadSeconds: 0 }));
    assert.ok(held.kept.every((o) => o.t < nextDay), 'no probe of the next morning kept');
    const forgotten = removeStaticDevices(input, options({ lookaheadSeconds: 0, holdSeconds: 0 }));
    assert.equal(forgotten.kept.filter((o) => o.t >= nextDay).length, 10);
  });

  it('releases observations in order, `lookahead` late, and everything at the end', () => {
    const released: Observation[] = [];
    const detector = new StaticDetector(options({ lookaheadSeconds: 600 }), (o) => released.push(o));
    const input = every('x', T0, T0 + 1200, 30);
    for (const o of input) detector.push(o);
    assert.ok(released.length > 0 && released.every((o) => o.t < detector.horizon(T0 + 1200)));
    assert.ok(released.every((o, i) => i === 0 || o.t >= released[i - 1]!.t));
    detector.finish();
    assert.deepEqual(released, input);
  });

  it('forgets keys that can no longer matter: state follows the window, not the input', () => {
    const detector = new StaticDetector(options({ lookaheadSeconds: 0 }), () => undefined);
    const sizes: number[] = [];
    for (let hour = 0; hour < 24; hour += 1) {
      for (let i = 0; i < 300; i += 1) detector.push({ t: T0 + hour * HOUR + i * 12, sensor: 's1', key: `h${hour}-${i}`, randomised: true, rssi: -60, seq: null, group: '' });
      sizes.push(detector.size);
    }
    // 300 new keys an hour: entries live two to three window lengths (3 h), not the whole day.
    assert.ok(Math.max(...sizes) <= 300 * 7, sizes.join(','));
    assert.ok(sizes[23]! <= sizes[11]! + 300, sizes.join(','));
  });
});
