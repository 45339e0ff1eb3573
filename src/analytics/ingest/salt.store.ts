import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { saltPeriodOf } from './device-key.js';

interface CachedSalt {
  key: KeyObject;
  /** Epoch ms after which the salt is deleted, in the database and here. */
  expires: number;
}

const SWEEP_EVERY_MS = 60_000;

/**
 * Per-organisation, per-period random salts (32 bytes), created on first use
 * and cached in memory. A salt is forgotten (here and, by the maintenance
 * job, in the database) once its period has ended plus a grace, so keys
 * stored under it can no longer be recomputed from a MAC. A probe arriving
 * later still than that gets a fresh salt for its period: it is counted, but
 * cannot be linked to the keys made earlier in the same period.
 */
export class SaltStore {
  private readonly cache = new Map<string, CachedSalt>();
  private lastSweep = 0;

  constructor(private readonly deps: { db: Db; clock: Clock; rotationHours: number; graceMinutes: number }) {}

  periodOf(epochMs: number): { start: number; end: number } {
    return saltPeriodOf(epochMs, this.deps.rotationHours);
  }

  /** The salt key of each given period start (epoch ms) for one organisation. */
  async keysFor(orgId: string, periodStarts: Iterable<number>): Promise<Map<number, KeyObject>> {
    const now = this.deps.clock.now().getTime();
    this.sweep(now);
    const keys = new Map<number, KeyObject>();
    for (const start of periodStarts) {
      const cacheKey = `${orgId}/${start}`;
      let cached = this.cache.get(cacheKey);
      if (!cached || cached.expires <= now) {
        const end = this.periodOf(start).end;
        cached = { key: createSecretKey(await this.loadOrCreate(orgId, start, end)), expires: end + this.deps.graceMinutes * 60_000 };
        this.cache.set(cacheKey, cached);
      }
      keys.set(start, cached.key);
    }
    return keys;
  }

  /** Deletes salts whose period ended more than the grace ago; returns how many. */
  async deleteExpired(): Promise<number> {
    const now = this.deps.clock.now().getTime();
    this.sweep(now, true);
    const cutoff = new Date(now - this.deps.graceMinutes * 60_000);
    const { rowCount } = await this.deps.db.query('DELETE FROM analytics_salts WHERE period_end <= $1', [cutoff]);
    return rowCount ?? 0;
  }

  private sweep(now: number, force = false): void {
    if (!force && now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, cached] of this.cache) if (cached.expires <= now) this.cache.delete(key);
  }

  /** Two statements, not one: a salt another process inserted meanwhile is only visible to a new snapshot. */
  private async loadOrCreate(orgId: string, start: number, end: number): Promise<Buffer> {
    const select = () =>
      this.deps.db.query<{ salt: Buffer }>('SELECT salt FROM analytics_salts WHERE org_id = $1 AND period_start = $2', [orgId, new Date(start)]);
    const found = (await select()).rows[0];
    if (found) return found.salt;
    const inserted = await this.deps.db.query<{ salt: Buffer }>(
      `INSERT INTO analytics_salts (org_id, period_start, period_end, salt) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id, period_start) DO NOTHING RETURNING salt`,
      [orgId, new Date(start), new Date(end), randomBytes(32)],
    );
    const salt = inserted.rows[0] ?? (await select()).rows[0];
    if (!salt) throw new Error('analytics salt vanished while being created');
    return salt.salt;
  }
}
