import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MODELS, PHONE_MIX, runSimulation, simulateTruth, type DeviceTruthRow } from '../../../src/analytics/simulator/index.js';
import type { Probe } from '../../../src/analytics/probes/probe.js';

const run = runSimulation({ scenario: 'high-street', start: '2025-03-13T11:30:00Z', hours: 3, seed: 5, ies: false });
const rowOf = new Map(run.devices.map((d) => [d.mac, d]));

/** Each device's probes in time order (one sensor here, so no duplicates across sensors). */
function probesByDevice(): Map<string, { row: DeviceTruthRow; probes: Probe[] }> {
  const out = new Map<string, { row: DeviceTruthRow; probes: Probe[] }>();
  for (const p of run.probes) {
    const row = rowOf.get(p.mac)!;
    const entry = out.get(row.device) ?? { row, probes: [] };
    entry.probes.push(p);
    out.set(row.device, entry);
  }
  return out;
}

/** Sequence jumps where a device's address changes: [small jumps, all changes]. */
function seqJumpsAtAddressChange(model: string): [number, number] {
  let small = 0;
  let changes = 0;
  for (const { row, probes } of probesByDevice().values()) {
    if (row.model !== model) continue;
    for (let i = 1; i < probes.length; i++) {
      const a = probes[i - 1]!;
      const b = probes[i]!;
      if (a.mac === b.mac) continue;
      changes += 1;
      // A full scan is about 44 probes: a few unheard scans still leave a small jump.
      if ((b.seq! - a.seq! + 4096) % 4096 < 400) small += 1;
    }
  }
  return [small, changes];
}

describe('MAC randomisation behaviours', () => {
  it('gives each person a phone model in proportion to the configured mix', () => {
    const truth = simulateTruth({ scenario: 'high-street', hours: 24, seed: 5 });
    const phones = truth.people.filter((p) => p.role !== 'static').flatMap((p) => p.devices.filter((d) => d.id.endsWith('/1')));
    assert.ok(phones.length > 5000);
    for (const [model, share] of Object.entries(PHONE_MIX)) {
      const observed = phones.filter((d) => d.model === model).length / phones.length;
      const sigma = Math.sqrt((share * (1 - share)) / phones.length);
      assert.ok(Math.abs(observed - share) < 4 * sigma, `${model}: ${observed.toFixed(3)} vs ${share}`);
    }
    const randomShare = phones.filter((d) => d.randomised).length / phones.length;
    const expected = 1 - (PHONE_MIX['phone-global'] ?? 0);
    assert.ok(Math.abs(randomShare - expected) < 0.015, `random-MAC share of phones ${randomShare.toFixed(3)}, expected ${expected}`);
  });

  it('marks heard addresses random exactly when their model (or a per-network address) randomises', () => {
    for (const row of run.devices) {
      const model = MODELS[row.model];
      if (model === undefined) assert.equal(row.role, 'static');
      if (model?.mac.kind === 'random' || model?.mac.kind === 'random-prefix') assert.equal(row.randomised, true, row.mac);
      if (row.model === 'android-legacy' && row.rotation !== 'per-network') assert.ok(row.mac.startsWith('da:a1:19:'), row.mac);
    }
    const random = run.devices.filter((d) => d.randomised).length / run.devices.length;
    assert.ok(random > 0.9, `share of addresses that are random: ${random}`);
  });

  it('rotates per scan, per interval or never, as each model says', () => {
    const addressesPerDevice = new Map<string, Set<string>>();
    const spanOf = new Map<string, [number, number]>();
    for (const p of run.probes) {
      const row = rowOf.get(p.mac)!;
      const set = addressesPerDevice.get(row.device) ?? new Set<string>();
      set.add(p.mac);
      addressesPerDevice.set(row.device, set);
      const span = spanOf.get(p.mac) ?? [p.ts, p.ts];
      spanOf.set(p.mac, [span[0], p.ts]);
    }
    const spans = (model: string) => run.devices.filter((d) => d.model === model && d.rotation !== 'per-network').map((d) => spanOf.get(d.mac)!);
    assert.ok(spans('iphone').every(([a, b]) => b - a < 2), 'an iPhone address lives one scan');
    assert.ok(spans('android-recent').every(([a, b]) => b - a < 2), 'a recent Android address lives one scan');
    assert.ok(spans('android-midrange').some(([a, b]) => b - a > 120), 'a mid-range Android keeps an address for minutes');
    assert.ok(spans('android-midrange').every(([a, b]) => b - a < 20 * 60), 'but not for more than its interval');
    const connected = run.devices.filter((d) => d.rotation === 'per-network').map((d) => spanOf.get(d.mac)!);
    assert.ok(connected.some(([a, b]) => b - a > 1800), 'a connected device keeps its per-network address');
    for (const row of run.devices.filter((d) => !d.randomised)) assert.equal(addressesPerDevice.get(row.device)?.size, 1, `${row.device} changed a global address`);
  });

  it('continues the sequence counter across address changes for the models that keep it', () => {
    for (const model of ['android-recent', 'android-legacy']) {
      const [small, changes] = seqJumpsAtAddressChange(model);
      assert.ok(changes > 50, `${model}: only ${changes} address changes heard`);
      assert.ok(small / changes > 0.97, `${model}: ${small} of ${changes} changes keep the counter`);
    }
  });

  it('restarts the counter at random for the models that reset it', () => {
    const [small, changes] = seqJumpsAtAddressChange('iphone');
    assert.ok(changes > 50, `iphone: only ${changes} address changes heard`);
    // A random restart lands within 400 of the old value about 400/4096 of the time.
    assert.ok(small / changes < 0.2, `iphone: ${small} of ${changes} changes look continuous`);
  });
});
