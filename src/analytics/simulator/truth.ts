import { isRandomising } from './models.js';
import type { Person, Role } from './population.js';
import type { Scenario } from './scenario.js';

/** A truth file in memory: `columns[0]` is `interval_start` (epoch seconds), `columns[1]` the venue count. */
export interface TruthTable {
  columns: string[];
  rows: number[][];
}

export interface StayRecord {
  person: string;
  role: Role;
  zone: string;
  enter: number;
  exit: number;
}

export interface PersonRecord {
  id: string;
  role: Role;
  appear: number;
  disappear: number;
  devices: { id: string; model: string; randomised: boolean }[];
}

export interface SimulationTruth {
  start: number;
  end: number;
  interval: number;
  /** People crossing into the venue (column 2) or a zone, or across a count line, per interval. */
  footfall: TruthTable;
  /** People present, mean over each interval. */
  occupancy: TruthTable;
  /** Every stay that overlaps the window (entries before the start included, for occupancy). */
  stays: StayRecord[];
  /** Everyone (and every fixed device) present at some time in the window. */
  people: PersonRecord[];
}

/**
 * Footfall and occupancy per interval from the people's own stays: column 2
 * counts everyone (visitors and staff; the next two columns split them), then
 * one column per other zone, then (footfall only) one per count line.
 */
export function buildTruth(scenario: Scenario, people: readonly Person[], start: number, end: number, interval: number): SimulationTruth {
  const slots = Math.ceil((end - start) / interval);
  const zoneColumns = [...scenario.zones];
  const footfallColumns = ['interval_start', 'footfall', 'visitors', 'staff', ...zoneColumns, ...scenario.countLines];
  const occupancyColumns = ['interval_start', 'occupancy', 'visitors', 'staff', ...zoneColumns];
  const starts = Array.from({ length: slots }, (_, i) => start + i * interval);
  const footfall = starts.map((t) => [t, ...Array<number>(footfallColumns.length - 1).fill(0)]);
  const occupancy = starts.map((t) => [t, ...Array<number>(occupancyColumns.length - 1).fill(0)]);
  const stays: StayRecord[] = [];
  const present: PersonRecord[] = [];

  for (const person of people) {
    if (person.disappear <= start || person.appear >= end) continue;
    present.push({
      id: person.id, role: person.role, appear: person.appear, disappear: person.disappear,
      devices: person.devices.map((d) => ({ id: d.id, model: d.model.id, randomised: d.associated || isRandomising(d.model) })),
    });
    for (const stay of person.stays) {
      if (stay.exit <= start || stay.enter >= end) continue;
      stays.push({ person: person.id, role: person.role, zone: stay.zone, enter: stay.enter, exit: stay.exit });
      for (const column of stayColumns(scenario, zoneColumns, person.role, stay.zone)) addStay(footfall, occupancy, column, stay.enter, stay.exit, start, end, interval);
    }
    for (const crossing of person.crossings) {
      const column = footfallColumns.indexOf(crossing.line);
      if (column < 0 || crossing.t < start || crossing.t >= end) continue;
      const row = footfall[Math.floor((crossing.t - start) / interval)];
      if (row !== undefined) row[column] = (row[column] ?? 0) + 1;
    }
  }
  return { start, end, interval, footfall: { columns: footfallColumns, rows: footfall }, occupancy: { columns: occupancyColumns, rows: occupancy }, stays, people: present };
}

/** Column 1 and the visitors/staff split for the venue; a zone's own column otherwise. */
function stayColumns(scenario: Scenario, zones: readonly string[], role: Role, zone: string): number[] {
  if (zone === scenario.venueZone) {
    if (role === 'visitor') return [1, 2];
    if (role === 'staff') return [1, 3];
    return [1];
  }
  const index = zones.indexOf(zone);
  return index < 0 ? [] : [4 + index];
}

function addStay(footfall: number[][], occupancy: number[][], column: number, enter: number, exit: number, start: number, end: number, interval: number): void {
  if (enter >= start && enter < end) {
    const row = footfall[Math.floor((enter - start) / interval)];
    if (row !== undefined) row[column] = (row[column] ?? 0) + 1;
  }
  const from = Math.max(enter, start);
  const to = Math.min(exit, end);
  for (let i = Math.floor((from - start) / interval); i < occupancy.length; i++) {
    const a = start + i * interval;
    if (a >= to) break;
    const b = Math.min(a + interval, end);
    const overlap = Math.min(to, b) - Math.max(from, a);
    const row = occupancy[i];
    if (row !== undefined && overlap > 0) row[column] = (row[column] ?? 0) + overlap / (b - a);
  }
}

/** CSV text of a truth table; occupancy to 3 decimals. */
export function truthCsv(table: TruthTable): string {
  const lines = [table.columns.join(',')];
  for (const row of table.rows) lines.push(row.map((v, i) => (i === 0 ? String(v) : String(Math.round(v * 1000) / 1000))).join(','));
  return `${lines.join('\n')}\n`;
}
