import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulateTruth, truthCsv, type SimulationTruth } from '../../../src/analytics/simulator/index.js';

const street = simulateTruth({ scenario: 'high-street', hours: 24, seed: 3, interval: 300 });
const mall = simulateTruth({ scenario: 'mall', start: '2025-03-13T06:00:00Z', hours: 18, seed: 3, interval: 600, scale: 0.5 });

/** Mean number inside `zone` over [a, b), by sweeping enter (+1) and exit (-1) events: independent of how truth.ts sums overlaps. */
function sweptOccupancy(truth: SimulationTruth, zone: string, a: number, b: number): number {
  const events: [number, number][] = [];
  for (const s of truth.stays.filter((x) => x.zone === zone)) events.push([s.enter, 1], [s.exit, -1]);
  events.sort((x, y) => x[0] - y[0]);
  let inside = 0;
  let area = 0;
  let t = a;
  for (const [time, step] of events) {
    if (time >= b) break;
    if (time > a) {
      area += inside * (time - t);
      t = time;
    }
    inside += step;
  }
  area += inside * (b - t);
  return area / (b - a);
}

function column(truth: SimulationTruth, table: 'footfall' | 'occupancy', name: string): number[] {
  const index = truth[table].columns.indexOf(name);
  assert.ok(index > 0, `no column ${name}`);
  return truth[table].rows.map((row) => row[index]!);
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

describe('ground truth', () => {
  it('has one row per interval, interval start first, the venue count second', () => {
    assert.equal(street.footfall.rows.length, 288);
    assert.deepEqual(street.footfall.columns.slice(0, 2), ['interval_start', 'footfall']);
    assert.deepEqual(street.occupancy.columns.slice(0, 2), ['interval_start', 'occupancy']);
    assert.equal(street.footfall.rows[1]![0]! - street.footfall.rows[0]![0]!, 300);
    const csv = truthCsv(street.occupancy).trimEnd().split('\n');
    assert.equal(csv.length, 289);
    assert.equal(csv[0], street.occupancy.columns.join(','));
  });

  it('counts as occupancy the integral of entries minus exits over each interval', () => {
    const checks = [[street, 'shop', 'occupancy'], [mall, 'mall', 'occupancy'], [mall, 'food-court', 'food-court'], [mall, 'pharmacy', 'pharmacy']] as const;
    for (const [truth, zone, name] of checks) {
      const values = column(truth, 'occupancy', name);
      truth.occupancy.rows.forEach((row, i) => {
        const a = row[0]!;
        const b = Math.min(a + truth.interval, truth.end);
        assert.ok(Math.abs(sweptOccupancy(truth, zone, a, b) - values[i]!) < 1e-6, `${zone} at ${a}`);
      });
    }
    assert.ok(Math.max(...column(street, 'occupancy', 'occupancy')) > 5, 'the shop gets busy');
  });

  it('sums footfall to the people who entered in the window, split into visitors and staff', () => {
    const entries = street.stays.filter((s) => s.zone === 'shop' && s.enter >= street.start && s.enter < street.end);
    assert.equal(sum(column(street, 'footfall', 'footfall')), entries.length);
    assert.equal(sum(column(street, 'footfall', 'visitors')), entries.filter((s) => s.role === 'visitor').length);
    assert.equal(sum(column(street, 'footfall', 'staff')), entries.filter((s) => s.role === 'staff').length);
    const visitors = new Set(entries.filter((s) => s.role === 'visitor').map((s) => s.person));
    assert.equal(visitors.size, entries.filter((s) => s.role === 'visitor').length, 'a shopper enters the shop once');
    assert.ok(visitors.size > 300 && visitors.size < 900, `${visitors.size} shoppers in a day`);
  });

  it('follows the daily profile: empty at night, staff all day, busiest around lunch', () => {
    const hourly = (name: string, table: 'footfall' | 'occupancy', h: number) =>
      sum(column(street, table, name).filter((_, i) => Math.floor((i * 300) / 3600) === h));
    assert.equal(hourly('occupancy', 'occupancy', 3), 0);
    assert.ok(hourly('staff', 'occupancy', 10) / 12 >= 1.5, 'staff in the shop during opening hours');
    assert.ok(hourly('pavement', 'footfall', 12) > 2 * hourly('pavement', 'footfall', 8), 'lunch busier than early morning');
    assert.ok(hourly('pavement', 'footfall', 8) > 5 * hourly('pavement', 'footfall', 3), 'morning busier than night');
    assert.equal(hourly('visitors', 'footfall', 20), 0, 'no shoppers after closing');
  });

  it('nests mall zones inside the mall and produces routes between zones', () => {
    const zones = mall.occupancy.columns.slice(4);
    assert.deepEqual(zones, ['fashion', 'electronics', 'food-court', 'pharmacy', 'department-store']);
    for (const row of mall.occupancy.rows) assert.ok(row[1]! + 1e-9 >= sum(row.slice(4)), 'zone occupancy exceeds the mall');
    const visited = new Map<string, string[]>();
    for (const s of [...mall.stays].sort((a, b) => a.enter - b.enter)) if (s.zone !== 'mall' && s.role === 'visitor') visited.set(s.person, [...(visited.get(s.person) ?? []), s.zone]);
    const routes = new Set([...visited.values()].filter((v) => v.length > 1).map((v) => `${v[0]}>${v[1]}`));
    assert.ok(routes.size >= 10, `only ${routes.size} distinct first transitions`);
    for (const zone of zones) assert.ok(sum(column(mall, 'footfall', zone)) > 0, `nobody entered ${zone}`);
  });
});
