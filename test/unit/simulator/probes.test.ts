import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintOf, runSimulation, simulateProbeBatches } from '../../../src/analytics/simulator/index.js';
import { fingerprintOf as parserFingerprint } from '../../../src/analytics/probes/index.js';
import { parseMac } from '../../../src/shared/device-hash.js';

const LUNCH = { scenario: 'high-street', start: '2025-03-13T11:30:00Z', hours: 3, seed: 11 } as const;
const run = runSimulation(LUNCH);

/** Splits IE hex into (id, body) pairs; throws if the lengths do not add up. */
function decodeIes(hex: string): { id: number; body: string }[] {
  const ies: { id: number; body: string }[] = [];
  for (let i = 0; i < hex.length; ) {
    const id = Number.parseInt(hex.slice(i, i + 2), 16);
    const length = Number.parseInt(hex.slice(i + 2, i + 4), 16);
    const body = hex.slice(i + 4, i + 4 + 2 * length);
    assert.equal(body.length, 2 * length, `IE ${id} truncated at ${i}`);
    ies.push({ id, body });
    i += 4 + 2 * length;
  }
  return ies;
}

describe('simulated probes', () => {
  it('are byte-identical for the same seed and differ for another seed', () => {
    const hour = { ...LUNCH, hours: 1 };
    const once = runSimulation(hour);
    const again = runSimulation(hour);
    assert.ok(once.probes.length > 1000);
    assert.equal(JSON.stringify(again.probes), JSON.stringify(once.probes));
    assert.deepEqual(again.devices, once.devices);
    assert.deepEqual(again.truth, once.truth);
    const other = runSimulation({ ...hour, seed: 12 });
    assert.notEqual(JSON.stringify(other.probes.slice(0, 100)), JSON.stringify(once.probes.slice(0, 100)));
  });

  it('come out in time order inside the window, in batches of at most a slice', () => {
    const start = run.options.start;
    const end = start + run.options.hours * 3600;
    assert.ok(run.probes.length > 10_000, `only ${run.probes.length} probes`);
    for (let i = 0; i < run.probes.length; i++) {
      const p = run.probes[i]!;
      assert.ok(p.ts >= start && p.ts < end, `probe ${i} at ${p.ts} outside the window`);
      if (i > 0) assert.ok(p.ts >= run.probes[i - 1]!.ts, `probe ${i} out of order`);
    }
    for (const batch of simulateProbeBatches({ ...LUNCH, hours: 0.5 })) {
      assert.ok(batch.at(-1)!.ts - batch[0]!.ts < 62, 'a batch spans at most about one slice');
    }
  });

  it('are each valid: MAC form and bits, RSSI, sequence number, channel', () => {
    const randomised = new Map(run.devices.map((d) => [d.mac, d.randomised]));
    for (const p of run.probes) {
      assert.equal(parseMac(p.mac), p.mac, `${p.mac} is not a normalised MAC`);
      const first = Number.parseInt(p.mac.slice(0, 2), 16);
      assert.equal(first & 0x01, 0, `${p.mac} has the multicast bit`);
      assert.equal((first & 0x02) !== 0, randomised.get(p.mac), `${p.mac}: locally administered bit disagrees with the truth`);
      assert.equal(p.sensor, 'shop-door');
      assert.ok(Number.isInteger(p.rssi) && p.rssi >= -97 && p.rssi <= -20, `rssi ${p.rssi}`);
      assert.ok(Number.isInteger(p.seq) && p.seq! >= 0 && p.seq! <= 4095, `seq ${p.seq}`);
      assert.ok([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 36].includes(p.channel!), `channel ${p.channel}`);
    }
  });

  it('carry IE hex that parses and matches the fingerprint, channel and SSID', () => {
    for (const p of run.probes.filter((_, i) => i % 7 === 0)) {
      const ies = decodeIes(p.ies!);
      const template = ies.map(({ id, body }) => ({ id, data: body }));
      assert.equal(fingerprintOf(template), p.fp);
      // The same string the probe parsers build from ids and vendor OUIs.
      assert.equal(parserFingerprint(ies.map((ie) => ie.id), ies.filter((ie) => ie.id === 221).map((ie) => ie.body.slice(0, 6))), p.fp);
      assert.equal(Buffer.from(ies.find((ie) => ie.id === 0)!.body, 'hex').toString('utf8'), p.ssid);
      const ds = ies.find((ie) => ie.id === 3);
      if (ds !== undefined) assert.equal(Number.parseInt(ds.body, 16), p.channel);
    }
  });

  it('come from people present at the time, as the truth lists them', () => {
    const people = new Map(run.truth.people.map((p) => [p.id, p]));
    const rows = new Map(run.devices.map((d) => [d.mac, d]));
    for (const row of run.devices) {
      const person = people.get(row.person);
      assert.ok(person, `${row.person} is not in the truth`);
      assert.equal(person.role, row.role);
      assert.ok(person.devices.some((d) => d.id === row.device && d.model === row.model), `${row.device} is not one of ${row.person}'s devices`);
    }
    for (const p of run.probes) {
      const person = people.get(rows.get(p.mac)!.person)!;
      assert.ok(p.ts >= person.appear && p.ts <= person.disappear + 2, `${person.id} probed outside their time on the scene`);
    }
  });

  it('wrap the 12-bit sequence counter from 4095 to 0 under one address', () => {
    const last = new Map<string, number>();
    let wraps = 0;
    for (const p of run.probes) {
      const before = last.get(p.mac);
      if (before !== undefined && before > 4000 && p.seq! < 100) wraps += 1;
      last.set(p.mac, p.seq!);
    }
    assert.ok(wraps > 0, 'no wrap seen in three hours');
  });

  it('show the signal spread a cordon filter has to split: visitors inside stronger than passers-by', () => {
    const role = new Map(run.devices.map((d) => [d.mac, d.role]));
    const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    const rssi = (r: string) => run.probes.filter((p) => role.get(p.mac) === r).map((p) => p.rssi);
    const visitors = median(rssi('visitor'));
    const passers = median(rssi('passer-by'));
    assert.ok(visitors - passers > 8, `visitor median ${visitors} dBm vs passer-by ${passers} dBm`);
    for (const r of ['visitor', 'passer-by', 'staff', 'background', 'static']) assert.ok(rssi(r).length > 0, `no probes from ${r}`);
  });
});
