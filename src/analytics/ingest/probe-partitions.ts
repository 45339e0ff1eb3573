import { withTransaction, type Db } from '../../db/pool.js';

const DAY_MS = 86_400_000;
const PARTITION_NAME = /^probes_p(\d{4})(\d{2})(\d{2})$/;

/** UTC day number (days since 1970-01-01) of an epoch-ms instant. */
export const utcDay = (epochMs: number): number => Math.floor(epochMs / DAY_MS);
const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * The daily partitions of `probes`. Ingest asks for the days a batch touches
 * (remembered once seen, so a steady stream costs no query); the maintenance
 * job creates the coming days ahead and drops whole expired days.
 */
export class ProbePartitions {
  private readonly present = new Set<number>();

  constructor(private readonly db: Db) {}

  /** Makes sure every given UTC day has its partition; returns the days it created. */
  async ensure(days: Iterable<number>): Promise<number[]> {
    const created: number[] = [];
    for (const day of days) {
      if (this.present.has(day)) continue;
      const { rows } = await this.db.query<{ created: boolean }>('SELECT analytics_ensure_probe_partition($1::date) AS created', [isoDate(day)]);
      if (rows[0]?.created === true) created.push(day);
      this.present.add(day);
    }
    return created;
  }

  /** After a partition was dropped under us (a "no partition" insert error): check again next time. */
  forget(): void {
    this.present.clear();
  }

  /** Existing partitions with their UTC day, oldest first. */
  async list(): Promise<{ name: string; day: number }[]> {
    const { rows } = await this.db.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'probes'::regclass",
    );
    return rows
      .flatMap(({ name }) => {
        const match = PARTITION_NAME.exec(name);
        return match ? [{ name, day: utcDay(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) }] : [];
      })
      .sort((a, b) => a.day - b.day);
  }

  /**
   * Drops, whole, every partition whose day ended before `cutoffMs`. A short
   * lock timeout: dropping needs the parent table to itself for a moment, and
   * waiting behind a long query would stall ingest; the job retries later.
   */
  async dropEndedBefore(cutoffMs: number): Promise<string[]> {
    const expired = (await this.list()).filter((p) => (p.day + 1) * DAY_MS <= cutoffMs);
    const dropped: string[] = [];
    for (const partition of expired) {
      await withTransaction(this.db, async (client) => {
        await client.query("SET LOCAL lock_timeout = '10s'");
        await client.query(`DROP TABLE IF EXISTS ${partition.name}`);
      });
      dropped.push(partition.name);
      this.present.delete(partition.day);
    }
    return dropped;
  }
}
