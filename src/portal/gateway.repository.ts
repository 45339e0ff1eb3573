import type { Queryable } from '../db/pool.js';
import type { GatewayKind } from './gateway.schemas.js';

export interface GatewayRecord {
  id: string;
  orgId: string;
  venueId: string;
  zoneId: string | null;
  kind: GatewayKind;
  name: string;
  settings: Record<string, unknown>;
  /** Sealed JSON; open with the SecretBox. */
  secrets: string;
  createdAt: Date;
}

const COLUMNS = `id, org_id AS "orgId", venue_id AS "venueId", zone_id AS "zoneId", kind, name, settings, secrets, created_at AS "createdAt"`;

export class GatewayRepository {
  constructor(private readonly db: Queryable) {}

  async insert(gateway: Omit<GatewayRecord, 'createdAt'>): Promise<GatewayRecord> {
    const { rows } = await this.db.query<GatewayRecord>(
      `INSERT INTO gateways (id, org_id, venue_id, zone_id, kind, name, settings, secrets)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [gateway.id, gateway.orgId, gateway.venueId, gateway.zoneId, gateway.kind, gateway.name, JSON.stringify(gateway.settings), gateway.secrets],
    );
    return rows[0] as GatewayRecord;
  }

  async get(orgId: string, id: string): Promise<GatewayRecord | undefined> {
    const { rows } = await this.db.query<GatewayRecord>(`SELECT ${COLUMNS} FROM gateways WHERE org_id = $1 AND id = $2`, [orgId, id]);
    return rows[0];
  }

  /** By id alone: the portal's landing URLs carry the gateway id, not the organisation. */
  async getById(id: string): Promise<GatewayRecord | undefined> {
    const { rows } = await this.db.query<GatewayRecord>(`SELECT ${COLUMNS} FROM gateways WHERE id = $1`, [id]);
    return rows[0];
  }

  async list(orgId: string): Promise<GatewayRecord[]> {
    const { rows } = await this.db.query<GatewayRecord>(`SELECT ${COLUMNS} FROM gateways WHERE org_id = $1 ORDER BY name, id`, [orgId]);
    return rows;
  }
}
