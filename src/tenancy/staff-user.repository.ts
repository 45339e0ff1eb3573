import type { Queryable } from '../db/pool.js';
import type { Role } from './tenancy.schemas.js';

export interface StaffUser {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
}

export interface StaffUserWithHash extends StaffUser {
  passwordHash: string;
  disabledAt: Date | null;
}

/** What the owners' staff page lists: never the password hash. */
export interface StaffUserListing extends StaffUser {
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
}

const COLUMNS = 'id, org_id AS "orgId", email, name, role';
const LISTING = `${COLUMNS}, last_login_at AS "lastLoginAt", disabled_at AS "disabledAt", created_at AS "createdAt"`;

export class StaffUserRepository {
  constructor(private readonly db: Queryable) {}

  async insert(user: StaffUser & { passwordHash: string }): Promise<StaffUser> {
    const { rows } = await this.db.query<StaffUser>(
      `INSERT INTO staff_users (id, org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [user.id, user.orgId, user.email, user.name, user.role, user.passwordHash],
    );
    return rows[0] as StaffUser;
  }

  async findByEmail(email: string): Promise<StaffUserWithHash | undefined> {
    const { rows } = await this.db.query<StaffUserWithHash>(
      `SELECT ${COLUMNS}, password_hash AS "passwordHash", disabled_at AS "disabledAt" FROM staff_users WHERE email = $1`,
      [email],
    );
    return rows[0];
  }

  /** Session lookups: a disabled user is treated as gone. */
  async getActive(id: string): Promise<StaffUser | undefined> {
    const { rows } = await this.db.query<StaffUser>(`SELECT ${COLUMNS} FROM staff_users WHERE id = $1 AND disabled_at IS NULL`, [id]);
    return rows[0];
  }

  async listByOrg(orgId: string): Promise<StaffUser[]> {
    const { rows } = await this.db.query<StaffUser>(`SELECT ${COLUMNS} FROM staff_users WHERE org_id = $1 ORDER BY email`, [orgId]);
    return rows;
  }

  /** Active users first, then by email. */
  async listDetailedByOrg(orgId: string): Promise<StaffUserListing[]> {
    const { rows } = await this.db.query<StaffUserListing>(
      `SELECT ${LISTING} FROM staff_users WHERE org_id = $1 ORDER BY disabled_at IS NOT NULL, email`,
      [orgId],
    );
    return rows;
  }

  /** Scoped by org_id: false when the user is not in this organisation. */
  async setRole(orgId: string, id: string, role: Role): Promise<boolean> {
    const { rowCount } = await this.db.query('UPDATE staff_users SET role = $3 WHERE org_id = $1 AND id = $2', [orgId, id, role]);
    return rowCount === 1;
  }

  /** `at` disables (keeping an earlier disabled_at), null enables; false when the user is not in this organisation. */
  async setDisabled(orgId: string, id: string, at: Date | null): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE staff_users SET disabled_at = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE COALESCE(disabled_at, $3) END WHERE org_id = $1 AND id = $2',
      [orgId, id, at],
    );
    return rowCount === 1;
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.db.query('UPDATE staff_users SET last_login_at = $2 WHERE id = $1', [id, at]);
  }
}
