import type { AnalyticsConfig } from '../../config.js';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { IngestRepository } from './ingest.repository.js';
import { ProbePartitions, utcDay } from './probe-partitions.js';
import { SaltStore } from './salt.store.js';

const DAY_MS = 86_400_000;
/** Partitions made ahead, so ingest rarely has to create one on the spot. */
export const DAYS_AHEAD = 3;

export interface MaintenanceResult {
  created: number;
  dropped: string[];
  saltsDeleted: number;
  batchesDeleted: number;
}

/**
 * The scheduled upkeep of raw probes: create the coming days' partitions,
 * drop whole days past the retention, delete salts whose period is over (the
 * privacy clock: their keys can then no longer be tied to a MAC) and forget
 * batch outcomes no retry can still need.
 */
export class ProbeMaintenance {
  private readonly partitions: ProbePartitions;
  private readonly salts: SaltStore;

  constructor(private readonly deps: { db: Db; clock: Clock; analytics: AnalyticsConfig }) {
    this.partitions = new ProbePartitions(deps.db);
    this.salts = new SaltStore({ db: deps.db, clock: deps.clock, rotationHours: deps.analytics.saltRotationHours, graceMinutes: deps.analytics.saltGraceMinutes });
  }

  async run(): Promise<MaintenanceResult> {
    const now = this.deps.clock.now().getTime();
    const today = utcDay(now);
    const created = await this.partitions.ensure(Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => today + i));
    const cutoff = now - this.deps.analytics.probeRetentionDays * DAY_MS;
    const dropped = await this.partitions.dropEndedBefore(cutoff);
    const saltsDeleted = await this.salts.deleteExpired();
    // A batch older than the retention plus the allowed clock skew can only bring probes ingest now refuses.
    const batchesDeleted = await new IngestRepository(this.deps.db).deleteBatchesBefore(new Date(cutoff - DAY_MS));
    return { created: created.length, dropped, saltsDeleted, batchesDeleted };
  }
}
