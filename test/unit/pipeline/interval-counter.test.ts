import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countIntervals, sensorRegistryOf } from '../../../src/analytics/pipeline/batch.js';
import type { CountRow } from '../../../src/analytics/pipeline/interval-counter.js';
import type { Observation } from '../../../src/analytics/pipeline/observation.js';
import { DEFAULT_OPTIONS, type CountOptions } from '../../../src/analytics/pipeline/options.js';
import { linkObservations } from '../../../src/analytics/pipeline/sequence-link.js';
import { byTime, every, obs, T0 } from './factories.js';

const options = (overrides: Partial<CountOptions> = {}): CountOptions => ({ ...DEFAULT_OPTIONS.counting, ...overrides });

/** Counts with one device per key, over the intervals from T0 to the last observation. */
function count(input: Observation[], o: CountOptions = options()) {
  const sorted = [...input].sort(byTime);
  const registry = sensorRegistryOf(sorted, o.intervalSeconds);
  const range = { first: Math.floor(T0 / o.intervalSeconds), last: Math.floor(sorted[sorted.length - 1]!.t / o.intervalSeconds) };
  const devices = linkObservations(sorted, { ...DEFAULT_OPTIONS.linking, enabled: false });
  return countIntervals(sorted, devices, o, registry, range);
}

const site = (rows: CountRow[]): CountRow[] => rows.filter((r) => r.sensor === null);

describe('interval counting', () => {
  it('counts a device once while it stays: dwell removal drops minutes seen 1-60 minutes after an earlier one', () => {
    // Minutes 0 (counted), 30 (seen 30 min before), 90 (60 min after 30: still dropped), 151 (61 min after 90: counted).
    const input = [0, 30, 90, 151].map((m) => obs({ key: 'd', t: T0 + m * 60 + 5 }));
    const rows = site(count(input, options({ intervalSeconds: 3600 })).rows);
    assert.deepEqual(rows.map((r) => r.footfall), [1, 0, 1]);
    assert.deepEqual(rows.map((r) => r.devices), [1, 1, 1]);
    const noDwell = site(count(input, options({ intervalSeconds: 3600, dwellWindowSeconds: 0 })).rows);
    assert.deepEqual(noDwell.map((r) => r.footfall), [2, 1, 1]);
  });

  it('counts distinct devices per interval, for the site and each sensor from its first interval', () => {
    const input = [
      obs({ key: 'a', t: T0 + 10, sensor: 'door' }),
      obs({ key: 'a', t: T0 + 20, sensor: 'door' }),
      obs({ key: 'b', t: T0 + 30, sensor: 'door' }),
      obs({ key: 'a', t: T0 + 310, sensor: 'till' }),
      obs({ key: 'c', t: T0 + 320, sensor: 'door' }),
    ];
    const rows = count(input).rows;
    assert.deepEqual(
      rows.map((r) => [r.sensor, r.start - T0, r.devices]),
      [
        [null, 0, 2],
        ['door', 0, 2],
        [null, 300, 2],
        ['door', 300, 1],
        ['till', 300, 1],
      ],
    );
  });

  it('counts as occupancy the devices seen in a window centred on the interval, or ending with it', () => {
    const input = [obs({ key: 'a', t: T0 + 10 }), obs({ key: 'b', t: T0 + 1190 })];
    const centred = site(count(input).rows);
    // 10 min windows: [-150, 450), [150, 750), [450, 1050), [750, 1350).
    assert.deepEqual(centred.map((r) => r.occupancy), [1, 0, 0, 1]);
    assert.deepEqual(centred.map((r) => r.devices), [1, 0, 0, 1]);
    // Ending with each interval: a (seen at 10) stays for 600 s, through an empty interval.
    const trailing = site(count(input, options({ occupancyAlign: 'trailing' })).rows);
    assert.deepEqual(trailing.map((r) => r.occupancy), [1, 1, 0, 1]);
  });

  it('turns a passer-by into a visitor after five minutes of strong signal', () => {
    const visitor = every('v', T0, T0 + 900, 60, { rssi: -55 });
    const passer = every('p', T0, T0 + 900, 60, { rssi: -80 });
    const rows = site(count([...visitor, ...passer]).rows);
    // At the end of the first interval v has 4 min of strong signal; by the second, 9 min.
    assert.deepEqual(rows.map((r) => [r.visitors, r.passersby]), [[0, 2], [1, 1], [1, 1]]);
  });

  it('exports visits: a gap over the session timeout ends one, stays under a minute are not visits', () => {
    const input = [
      ...every('v', T0, T0 + 600, 60, { rssi: -55, sensor: 'door' }),
      obs({ key: 'v', t: T0 + 600, rssi: -55, sensor: 'till' }),
      obs({ key: 'v', t: T0 + 660, rssi: -60, sensor: 'door' }),
      ...every('v', T0 + 2000, T0 + 2200, 60, { rssi: -85 }), // back after 22 min: a new, weak visit
      ...every('brief', T0 + 100, T0 + 140, 10),
    ];
    const { visits } = count(input);
    const mine = visits.filter((v) => v.device === 'v').sort((a, b) => a.start - b.start);
    assert.deepEqual(mine, [
      { device: 'v', sensors: ['door', 'till', 'door'], start: T0, end: T0 + 660, strongSeconds: 660, probes: 12, maxRssi: -55, kind: 'visitor' },
      { device: 'v', sensors: ['s1'], start: T0 + 2000, end: T0 + 2180, strongSeconds: 0, probes: 4, maxRssi: -85, kind: 'passerby' },
    ]);
    assert.ok(!visits.some((v) => v.device === 'brief'));
  });

  it('takes visitor thresholds per venue from the options', () => {
    const input = every('v', T0, T0 + 900, 60, { rssi: -75 });
    assert.equal(count(input).visits[0]?.kind, 'passerby');
    assert.equal(count(input, options({ visitorRssi: -80, visitorMinSeconds: 120 })).visits[0]?.kind, 'visitor');
  });
});
