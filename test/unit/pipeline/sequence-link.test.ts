import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Observation } from '../../../src/analytics/pipeline/observation.js';
import { DEFAULT_OPTIONS, type LinkOptions } from '../../../src/analytics/pipeline/options.js';
import { linkObservations, SequenceLinker, seqStep } from '../../../src/analytics/pipeline/sequence-link.js';
import { obs, T0 } from './factories.js';

const options = (overrides: Partial<LinkOptions> = {}): LinkOptions => ({ ...DEFAULT_OPTIONS.linking, ...overrides });

/** Device ids as small labels: which observations ended up on the same device. */
function partition(input: Observation[], o: LinkOptions = options()): number[] {
  const ids = new Map<number, number>();
  return linkObservations(input, o).map((d) => {
    if (!ids.has(d.id)) ids.set(d.id, ids.size);
    return ids.get(d.id)!;
  });
}

const probe = (key: string, dt: number, seq: number, fields: Partial<Observation> = {}): Observation => obs({ key, t: T0 + dt, seq, ...fields });

describe('sequence-number linking', () => {
  it('measures steps modulo 4096', () => {
    assert.equal(seqStep(4090, 5), 11);
    assert.equal(seqStep(5, 4090), 4085);
    assert.equal(seqStep(100, 100), 0);
  });

  it('links a new random MAC to the probe it continues, across the 4096 wrap', () => {
    assert.deepEqual(partition([probe('a', 0, 4090), probe('b', 1, 5)]), [0, 0]);
    assert.deepEqual(partition([probe('a', 0, 4090), probe('b', 1, 4089)]), [0, 1], 'a step backwards is not a link');
  });

  it('links at exactly alpha seconds and beta steps, not beyond', () => {
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 16, 101)]), [0, 0]);
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 16.001, 101)]), [0, 1]);
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 1, 160)]), [0, 0]);
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 1, 161)]), [0, 1]);
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 1, 100)]), [0, 1], 'step 0 is not a later frame');
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 0, 101)]), [0, 1], 'same instant is not later');
  });

  it('takes alpha and beta from the options (the R code used 60 s and 200)', () => {
    const input = [probe('a', 0, 100), probe('b', 50, 250)];
    assert.deepEqual(partition(input), [0, 1]);
    assert.deepEqual(partition(input, options({ alphaSeconds: 60, beta: 200 })), [0, 0]);
  });

  it('gives each probe one outgoing link: a taken predecessor cannot be linked again', () => {
    // b takes a's outgoing link; c's only candidate is a (b's number is above c's): c is a new device.
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 1, 105), probe('c', 2, 103)]), [0, 0, 1]);
  });

  it('gives each probe one incoming link, from the nearest free predecessor', () => {
    const input = [
      probe('b', -100, 90), // b known from earlier: its next probe cannot continue it (too late), so it takes no link
      probe('a', 0, 100),
      probe('b', 0.5, 130),
      probe('c', 1, 140), // free candidates: a (step 40) and b (step 10): the nearest is b
      probe('d', 2, 145), // free: a (45) and c (5): c
    ];
    assert.deepEqual(partition(input), [0, 1, 0, 0, 0]);
  });

  it('links only within a group (fingerprint and band), and never global MACs', () => {
    assert.deepEqual(partition([probe('a', 0, 100, { group: 'iphone@5' }), probe('b', 1, 101, { group: 'pixel@5' })]), [0, 1]);
    assert.deepEqual(partition([probe('a', 0, 100, { randomised: false }), probe('b', 1, 101)]), [0, 1]);
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 1, 101, { randomised: false })]), [0, 1]);
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 1, 101, { seq: null })]), [0, 1]);
    assert.deepEqual(partition([probe('a', 0, 100), probe('b', 1, 101)], options({ enabled: false })), [0, 1]);
  });

  it('merges probes that share a key, whatever their gap, until the key is forgotten', () => {
    const input = [probe('a', 0, 100), probe('a', 3000, 900), probe('a', 3000 + 7201, 1000)];
    const devices = linkObservations(input, options());
    assert.equal(devices[0], devices[1]);
    assert.notEqual(devices[1], devices[2], 'after keyMemorySeconds the key starts a new device');
    assert.equal(devices[2]!.label, 'a', 'labelled by its first key');
  });

  it('builds a device from a chain of rotating MACs, labelled by the first', () => {
    const input = [probe('m1', 0, 10), probe('m1', 0.02, 11), probe('m2', 5, 14), probe('m3', 12, 20), probe('m3', 12.02, 21)];
    const devices = linkObservations(input, options());
    assert.equal(new Set(devices.map((d) => d.id)).size, 1);
    assert.equal(devices[4]!.label, 'm1');
  });

  it('forgets idle keys: memory follows recent traffic', () => {
    const linker = new SequenceLinker(options());
    for (let hour = 0; hour < 10; hour += 1) {
      for (let i = 0; i < 1000; i += 1) linker.assign(obs({ key: `h${hour}-${i}`, t: T0 + hour * 3600 + i * 3.6, seq: i % 4096 }));
    }
    assert.ok(linker.size <= 4000, `${linker.size} keys remembered after 10,000`);
  });
});
