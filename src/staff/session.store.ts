import session from 'express-session';
import type { Queryable } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';

const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * express-session store on our own `staff_sessions` table: sessions survive
 * restarts and are shared by every web process, and no extra package owns
 * part of our schema. Expired rows are purged by the maintenance job.
 */
export class PgSessionStore extends session.Store {
  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
  ) {
    super();
  }

  private expiry(data: session.SessionData): Date {
    // cookie.maxAge is what is left of the cookie's life at the moment of saving.
    return new Date(this.clock.now().getTime() + (data.cookie.maxAge ?? DEFAULT_TTL_MS));
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.db
      .query<{ data: session.SessionData }>('SELECT data FROM staff_sessions WHERE sid = $1 AND expires_at > $2', [sid, this.clock.now()])
      .then(({ rows }) => callback(null, rows[0]?.data ?? null), callback);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.db
      .query(
        `INSERT INTO staff_sessions (sid, data, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
        [sid, JSON.stringify(data), this.expiry(data)],
      )
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  override touch(sid: string, data: session.SessionData, callback?: () => void): void {
    void this.db.query('UPDATE staff_sessions SET expires_at = $2 WHERE sid = $1', [sid, this.expiry(data)]).then(
      () => callback?.(),
      () => callback?.(),
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.db.query('DELETE FROM staff_sessions WHERE sid = $1', [sid]).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}

export async function purgeExpiredSessions(db: Queryable, now: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM staff_sessions WHERE expires_at <= $1', [now]);
  return rowCount ?? 0;
}
