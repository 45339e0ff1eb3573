import type { Queryable } from '../../db/pool.js';
import type { AttributeValue } from './visitor.schemas.js';

export interface VisitorAttributes {
  loyaltyMember: boolean;
  attributes: Record<string, AttributeValue>;
}

/** CRM attributes and loyalty membership pushed through the API (visitor_attributes). */
export class VisitorAttributesRepository {
  constructor(private readonly db: Queryable) {}

  async get(orgId: string, visitorId: string): Promise<VisitorAttributes> {
    const { rows } = await this.db.query<VisitorAttributes>(
      'SELECT loyalty_member AS "loyaltyMember", attributes FROM visitor_attributes WHERE org_id = $1 AND visitor_id = $2',
      [orgId, visitorId],
    );
    return rows[0] ?? { loyaltyMember: false, attributes: {} };
  }

  async put(orgId: string, visitorId: string, value: VisitorAttributes, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO visitor_attributes (visitor_id, org_id, loyalty_member, attributes, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (visitor_id) DO UPDATE SET loyalty_member = EXCLUDED.loyalty_member, attributes = EXCLUDED.attributes, updated_at = EXCLUDED.updated_at`,
      [visitorId, orgId, value.loyaltyMember, JSON.stringify(value.attributes), at],
    );
  }
}
