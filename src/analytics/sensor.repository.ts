import type { Queryable } from '../db/pool.js';

export interface Sensor {
  id: string;
  orgId: string;
  venueId: string;
  zoneId: string | null;
  name: string;
  createdAt: Date;
  lastSeenAt: Date | null;
}

/** Probes one sensor received in one minute; `minute` counts minutes since the Unix epoch. */
export interface MinuteCount {
  sensorId: string;
  minute: number;
  probes: number;
}

const COLUMNS = `id, org_id AS "orgId", venue_id AS "venueId", zone_id AS "zoneId", name, created_at AS "createdAt", last_seen_at AS "lastSeenAt"`;

export class SensorRepository {
  constructor(private readonly db: Queryable) {}

  async insert(sensor: Omit<Sensor, 'createdAt' | 'lastSeenAt'> & { lookup: string; tokenHash: string }): Promise<Sensor> {
    const { rows } = await this.db.query<Sensor>(
      `INSERT INTO sensors (id, org_id, venue_id, zone_id, name, lookup, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [sensor.id, sensor.orgId, sensor.venueId, sensor.zoneId, sensor.name, sensor.lookup, sensor.tokenHash],
    );
    return rows[0] as Sensor;
  }

  async list(orgId: string): Promise<Sensor[]> {
    const { rows } = await this.db.query<Sensor>(`SELECT ${COLUMNS} FROM sensors WHERE org_id = $1 ORDER BY name, id`, [orgId]);
    return rows;
  }

  async findByLookup(lookup: string): Promise<(Sensor & { tokenHash: string }) | undefined> {
    const { rows } = await this.db.query<Sensor & { tokenHash: string }>(
      `SELECT ${COLUMNS}, token_hash AS "tokenHash" FROM sensors WHERE lookup = $1`,
      [lookup],
    );
    return rows[0];
  }

  /**
   * Probes per sensor and minute in [from, to), for every sensor of the
   * organisation in one query: the (sensor_id, ts) index and the daily
   * partitions keep it to the window's rows.
   */
  async minuteCounts(orgId: string, from: Date, to: Date): Promise<MinuteCount[]> {
    const { rows } = await this.db.query<MinuteCount>(
      `SELECT sensor_id AS "sensorId", (extract(epoch FROM date_trunc('minute', ts)) / 60)::int AS minute, count(*)::int AS probes
       FROM probes
       WHERE org_id = $1 AND sensor_id IN (SELECT id FROM sensors WHERE org_id = $1) AND ts >= $2 AND ts < $3
       GROUP BY 1, 2`,
      [orgId, from, to],
    );
    return rows;
  }
}
