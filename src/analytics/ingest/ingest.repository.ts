import type { Queryable } from '../../db/pool.js';
import { PROBE_INSERT, type ProbeRows } from './probe-rows.js';

export interface RecordProblem {
  /** 1-based line of an NDJSON body or input file. */
  line?: number;
  /** Byte offset in a binary input file (pcap). */
  offset?: number;
  /** 0-based position in a JSON array body or a record stream without lines. */
  index?: number;
  reason: string;
}

export interface StoredBatch {
  sensorId: string;
  batchId: string;
  orgId: string;
  digest: Buffer;
  accepted: number;
  rejected: number;
  errors: RecordProblem[];
  receivedAt: Date;
}

/** Storage of ingest: batch outcomes, probe rows, the device bindings that make a probe "known". */
export class IngestRepository {
  constructor(private readonly db: Queryable) {}

  /** The sensor by id (the CLI import names it), whichever organisation it belongs to. */
  async sensorById(id: string): Promise<{ id: string; orgId: string; venueId: string; zoneId: string | null; name: string } | undefined> {
    const { rows } = await this.db.query<{ id: string; orgId: string; venueId: string; zoneId: string | null; name: string }>(
      'SELECT id, org_id AS "orgId", venue_id AS "venueId", zone_id AS "zoneId", name FROM sensors WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  /** Records a batch's outcome; false when the (sensor, batch id) was already taken (the caller has a retry). */
  async claimBatch(batch: StoredBatch): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO ingest_batches (sensor_id, batch_id, org_id, digest, accepted, rejected, errors, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (sensor_id, batch_id) DO NOTHING`,
      [batch.sensorId, batch.batchId, batch.orgId, batch.digest, batch.accepted, batch.rejected, JSON.stringify(batch.errors), batch.receivedAt],
    );
    return rowCount === 1;
  }

  async findBatch(sensorId: string, batchId: string): Promise<StoredBatch | undefined> {
    const { rows } = await this.db.query<StoredBatch>(
      `SELECT sensor_id AS "sensorId", batch_id AS "batchId", org_id AS "orgId", digest, accepted, rejected, errors, received_at AS "receivedAt"
       FROM ingest_batches WHERE sensor_id = $1 AND batch_id = $2`,
      [sensorId, batchId],
    );
    return rows[0];
  }

  async insertProbes(orgId: string, sensorId: string, rows: ProbeRows): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(PROBE_INSERT, [orgId, sensorId, ...rows.params()]);
  }

  /** Probes older than the venue's rolled-up mark (a sensor's spooled backlog): move the mark back so sessions are recomputed. */
  async rewindRollup(venueId: string, earliest: number): Promise<void> {
    await this.db.query('UPDATE analytics_rollups SET done_until = to_timestamp($2), updated_at = now() WHERE venue_id = $1 AND done_until > to_timestamp($2)', [
      venueId,
      earliest,
    ]);
  }

  /** device_hash -> visitor id, for those of the given hashes bound to a visitor of the organisation. */
  async boundVisitors(orgId: string, deviceHashes: string[]): Promise<Map<string, string>> {
    if (deviceHashes.length === 0) return new Map();
    const { rows } = await this.db.query<{ hash: string; visitorId: string }>(
      'SELECT device_hash AS hash, visitor_id AS "visitorId" FROM device_bindings WHERE org_id = $1 AND device_hash = ANY($2::text[])',
      [orgId, deviceHashes],
    );
    return new Map(rows.map((r) => [r.hash, r.visitorId]));
  }

  /** At most one write per sensor every few seconds: several agents' batches would otherwise queue on one row. */
  async touchSensor(sensorId: string, at: Date): Promise<void> {
    await this.db.query(
      "UPDATE sensors SET last_seen_at = $2 WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2::timestamptz - interval '5 seconds')",
      [sensorId, at],
    );
  }

  /** Batch outcomes only matter while a retry could still bring probes inside the retention. */
  async deleteBatchesBefore(cutoff: Date): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM ingest_batches WHERE received_at < $1', [cutoff]);
    return rowCount ?? 0;
  }
}
