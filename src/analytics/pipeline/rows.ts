import type { CountRow } from './interval-counter.js';

/** One interval of the site, as `passby analyze` prints it. */
export interface IntervalRow {
  start: number;
  end: number;
  /** Distinct MACs (keys) in the interval, before any filtering. */
  raw_macs: number;
  /** Distinct devices after the signal filter, static removal and linking. */
  devices: number;
  passersby: number;
  visitors: number;
  footfall: number;
  occupancy: number;
}

export interface SensorIntervalRow extends IntervalRow {
  sensor: string;
}

export interface StageCounts {
  devices: number;
  footfall: number;
  occupancy: number;
}

/** The site's estimates of one interval at each stage, for accuracy per stage. */
export interface StageRow {
  start: number;
  end: number;
  /** Every key a device: no filter, no linking. */
  raw: StageCounts;
  /** After the signal filter and static removal, every key a device. */
  filtered: StageCounts;
  /** After sequence linking: the final estimate before calibration. */
  linked: StageCounts;
}

const counts = (row: CountRow): StageCounts => ({ devices: row.devices, footfall: row.footfall, occupancy: row.occupancy });

/**
 * Pairs the rows of the stages. Every stage emits the same intervals and sensors in the same order
 * (they share the sensor registry and the interval range), the raw stage first because it needs no
 * lookahead, so rows are matched in arrival order.
 */
export class RowAssembler {
  private readonly raw: CountRow[] = [];
  private readonly filtered: CountRow[] = [];
  private rawHead = 0;
  private filteredHead = 0;

  constructor(
    private readonly stages: boolean,
    private readonly emitSite: (row: IntervalRow) => void,
    private readonly emitSensor: (row: SensorIntervalRow) => void,
    private readonly emitStage: (row: StageRow) => void,
  ) {}

  addRaw(row: CountRow): void {
    this.raw.push(row);
  }

  addFiltered(row: CountRow): void {
    this.filtered.push(row);
  }

  addLinked(row: CountRow): void {
    const raw = this.take(this.raw, this.rawHead++, row);
    const site: IntervalRow = {
      start: row.start,
      end: row.end,
      raw_macs: raw.devices,
      devices: row.devices,
      passersby: row.passersby,
      visitors: row.visitors,
      footfall: row.footfall,
      occupancy: row.occupancy,
    };
    if (row.sensor === null) this.emitSite(site);
    else this.emitSensor({ sensor: row.sensor, ...site });
    if (this.stages) {
      const filtered = this.take(this.filtered, this.filteredHead++, row);
      if (row.sensor === null) this.emitStage({ start: row.start, end: row.end, raw: counts(raw), filtered: counts(filtered), linked: counts(row) });
    }
    this.compact();
  }

  private take(queue: CountRow[], at: number, like: CountRow): CountRow {
    const row = queue[at];
    if (row?.start !== like.start || row.sensor !== like.sensor) {
      throw new Error(`pipeline stages out of step at ${like.start} (${like.sensor ?? 'site'})`);
    }
    return row;
  }

  private compact(): void {
    if (this.rawHead > 1024) {
      this.raw.splice(0, this.rawHead);
      this.rawHead = 0;
    }
    if (this.filteredHead > 1024) {
      this.filtered.splice(0, this.filteredHead);
      this.filteredHead = 0;
    }
  }
}
