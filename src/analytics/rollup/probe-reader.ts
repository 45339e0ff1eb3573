import type { Queryable } from '../../db/pool.js';
import type { Observation } from '../pipeline/observation.js';
import { bandOf } from '../pipeline/to-observation.js';

export interface VenueSensor {
  id: string;
  zoneId: string | null;
}

export interface StoredObservations {
  observations: Observation[];
  /** Keys of devices known through the portal. */
  knownKeys: Set<string>;
}

/** A stored probe as read: the observation's fields, with the channel and fingerprint hash its group is made of. */
type ProbeRow = Omit<Observation, 'group'> & { channel: number | null; fp: string | null; known: boolean };

/** Stored probes as pipeline observations: keys stay the stored hashes, never a MAC. */
export class ProbeReader {
  constructor(private readonly db: Queryable) {}

  async sensorsOf(venueId: string): Promise<VenueSensor[]> {
    const { rows } = await this.db.query<VenueSensor>('SELECT id, zone_id AS "zoneId" FROM sensors WHERE venue_id = $1 ORDER BY id', [venueId]);
    return rows;
  }

  async venuesWithSensors(): Promise<{ orgId: string; venueId: string }[]> {
    const { rows } = await this.db.query<{ orgId: string; venueId: string }>('SELECT DISTINCT org_id AS "orgId", venue_id AS "venueId" FROM sensors ORDER BY 1, 2');
    return rows;
  }

  async earliestProbe(sensorIds: readonly string[]): Promise<number | undefined> {
    const { rows } = await this.db.query<{ t: number | null }>('SELECT extract(epoch FROM min(ts))::float8 AS t FROM probes WHERE sensor_id = ANY($1::uuid[])', [sensorIds]);
    return rows[0]?.t ?? undefined;
  }

  /** Probes of the sensors in [from, to), time-ordered. */
  async read(sensorIds: readonly string[], from: number, to: number): Promise<StoredObservations> {
    const { rows } = await this.db.query<ProbeRow>(
      `SELECT extract(epoch FROM ts)::float8 AS t, sensor_id AS sensor, encode(device_key, 'hex') AS key, randomised, rssi, seq, channel,
              encode(fp_group, 'hex') AS fp, known
         FROM probes
        WHERE sensor_id = ANY($1::uuid[]) AND ts >= to_timestamp($2) AND ts < to_timestamp($3)
        ORDER BY ts`,
      [sensorIds, from, to],
    );
    const knownKeys = new Set<string>();
    const observations = rows.map((row): Observation => {
      if (row.known) knownKeys.add(row.key);
      const band = bandOf(row.channel ?? undefined);
      return {
        t: row.t,
        sensor: row.sensor,
        key: row.key,
        randomised: row.randomised,
        rssi: row.rssi,
        seq: row.seq,
        group: row.fp === null ? '' : band === undefined ? row.fp : `${row.fp}@${band}`,
      };
    });
    return { observations, knownKeys };
  }
}
