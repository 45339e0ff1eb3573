import type { Queryable } from '../db/pool.js';
import type { OpeningHours, VenuePatch } from './tenancy.schemas.js';

export interface Venue {
  id: string;
  orgId: string;
  name: string;
  timezone: string;
  address: string;
  openingHours: OpeningHours;
  createdAt: Date;
  updatedAt: Date;
}

export interface Zone {
  id: string;
  orgId: string;
  venueId: string;
  name: string;
  createdAt: Date;
}

const VENUE = `id, org_id AS "orgId", name, timezone, address, opening_hours AS "openingHours", created_at AS "createdAt", updated_at AS "updatedAt"`;
const ZONE = `id, org_id AS "orgId", venue_id AS "venueId", name, created_at AS "createdAt"`;

/** Every statement is scoped by org_id: a venue id alone never reaches another tenant's row. */
export class VenueRepository {
  constructor(private readonly db: Queryable) {}

  async list(orgId: string): Promise<Venue[]> {
    const { rows } = await this.db.query<Venue>(`SELECT ${VENUE} FROM venues WHERE org_id = $1 ORDER BY name, id`, [orgId]);
    return rows;
  }

  async get(orgId: string, id: string): Promise<Venue | undefined> {
    const { rows } = await this.db.query<Venue>(`SELECT ${VENUE} FROM venues WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0];
  }

  async insert(venue: Omit<Venue, 'createdAt' | 'updatedAt'>): Promise<Venue> {
    const { rows } = await this.db.query<Venue>(
      `INSERT INTO venues (id, org_id, name, timezone, address, opening_hours) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${VENUE}`,
      [venue.id, venue.orgId, venue.name, venue.timezone, venue.address, JSON.stringify(venue.openingHours)],
    );
    return rows[0] as Venue;
  }

  async update(orgId: string, id: string, patch: VenuePatch, at: Date): Promise<Venue | undefined> {
    const { rows } = await this.db.query<Venue>(
      `UPDATE venues SET
         name = COALESCE($3, name),
         timezone = COALESCE($4, timezone),
         address = COALESCE($5, address),
         opening_hours = COALESCE($6::jsonb, opening_hours),
         updated_at = $7
       WHERE org_id = $1 AND id = $2 RETURNING ${VENUE}`,
      [orgId, id, patch.name, patch.timezone, patch.address, patch.openingHours ? JSON.stringify(patch.openingHours) : null, at],
    );
    return rows[0];
  }

  async remove(orgId: string, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM venues WHERE org_id = $1 AND id = $2', [orgId, id]);
    return rowCount === 1;
  }

  async listZones(orgId: string, venueId: string): Promise<Zone[]> {
    const { rows } = await this.db.query<Zone>(`SELECT ${ZONE} FROM zones WHERE org_id = $1 AND venue_id = $2 ORDER BY name`, [orgId, venueId]);
    return rows;
  }

  async getZone(orgId: string, zoneId: string): Promise<Zone | undefined> {
    const { rows } = await this.db.query<Zone>(`SELECT ${ZONE} FROM zones WHERE org_id = $1 AND id = $2`, [orgId, zoneId]);
    return rows[0];
  }

  async insertZone(zone: Omit<Zone, 'createdAt'>): Promise<Zone> {
    const { rows } = await this.db.query<Zone>(
      `INSERT INTO zones (id, org_id, venue_id, name) VALUES ($1, $2, $3, $4) RETURNING ${ZONE}`,
      [zone.id, zone.orgId, zone.venueId, zone.name],
    );
    return rows[0] as Zone;
  }

  async removeZone(orgId: string, zoneId: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM zones WHERE org_id = $1 AND id = $2', [orgId, zoneId]);
    return rowCount === 1;
  }
}
