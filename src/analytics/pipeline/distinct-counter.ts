import type { CountRow, SensorRegistry } from './interval-counter.js';
import { KeyTable, type KeyEntry } from './key-table.js';
import type { Observation } from './observation.js';

/**
 * Distinct keys (raw MACs) per interval for the site and each sensor: the `raw_macs` column. Marks on
 * the key's entry count the site and the key's first sensor of the interval; a key heard by a second
 * sensor in the same interval goes in that sensor's set. Every other field of its rows repeats the count.
 */
export class DistinctKeyCounter {
  private siteCount = 0;
  private readonly sensorCounts: number[] = [];
  private readonly extra: Set<string>[] = [];
  private readonly table: KeyTable;
  private interval = Number.NaN;

  /** `table`: the stream's shared key table, when the caller resolves entries itself. */
  constructor(
    private readonly intervalSeconds: number,
    private readonly registry: SensorRegistry,
    private readonly emitRow: (row: CountRow) => void,
    table?: KeyTable,
  ) {
    this.table = table ?? new KeyTable(2 * intervalSeconds);
  }

  begin(interval: number): void {
    if (Number.isNaN(this.interval)) this.interval = interval;
  }

  observe(obs: Observation, entry: KeyEntry = this.table.resolve(obs.key, obs.t)): void {
    const interval = Math.floor(obs.t / this.intervalSeconds);
    this.begin(interval);
    while (this.interval < interval) this.closeCurrent();
    if (entry.rawInterval !== interval) {
      entry.rawInterval = interval;
      this.siteCount += 1;
    }
    const index = this.registry.indexOf(obs.sensor);
    if (index === undefined) return;
    if (entry.rawSensorInterval !== interval) {
      entry.rawSensorInterval = interval;
      entry.rawSensor = index;
      this.sensorCounts[index] = (this.sensorCounts[index] ?? 0) + 1;
    } else if (entry.rawSensor !== index) {
      const set = this.extraSet(index);
      if (!set.has(obs.key)) {
        set.add(obs.key);
        this.sensorCounts[index] = (this.sensorCounts[index] ?? 0) + 1;
      }
    }
  }

  finish(lastInterval: number): void {
    while (!Number.isNaN(this.interval) && this.interval <= lastInterval) this.closeCurrent();
  }

  private extraSet(index: number): Set<string> {
    let set = this.extra[index];
    while (set === undefined) {
      this.extra.push(new Set());
      set = this.extra[index];
    }
    return set;
  }

  private closeCurrent(): void {
    const start = this.interval * this.intervalSeconds;
    const end = start + this.intervalSeconds;
    this.emitRow(rowOf(this.siteCount, null, start, end));
    this.siteCount = 0;
    this.registry.names.forEach((name, i) => {
      if ((this.registry.firstInterval[i] ?? Number.POSITIVE_INFINITY) <= this.interval) this.emitRow(rowOf(this.sensorCounts[i] ?? 0, name, start, end));
      this.sensorCounts[i] = 0;
      this.extra[i]?.clear();
    });
    this.interval += 1;
  }
}

const rowOf = (n: number, sensor: string | null, start: number, end: number): CountRow => ({ sensor, start, end, devices: n, visitors: 0, passersby: n, footfall: n, occupancy: n });
