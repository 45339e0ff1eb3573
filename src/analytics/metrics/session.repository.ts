import type { Queryable } from '../../db/pool.js';
import type { DeviceDays } from './loyalty.js';
import type { SessionRecord } from './session.js';

/** Longest session the period queries look back for (a staff member's whole day plus margin). */
const LOOKBACK_SECONDS = 2 * 86_400;

export interface StoredSession extends SessionRecord {
  orgId: string;
  probes: number;
  maxRssi: number;
  known: boolean;
}

export class SessionRepository {
  constructor(private readonly db: Queryable) {}

  /** Sessions of a venue overlapping [from, to): venue-level ones, or one zone's, or every zone's. */
  async list(venueId: string, from: number, to: number, scope: { zoneId: string } | 'venue' | 'zones'): Promise<SessionRecord[]> {
    const zoneFilter = scope === 'venue' ? 'zone_id IS NULL' : scope === 'zones' ? 'zone_id IS NOT NULL' : 'zone_id = $5';
    const params: unknown[] = [venueId, from - LOOKBACK_SECONDS, to, from];
    if (typeof scope === 'object') params.push(scope.zoneId);
    const { rows } = await this.db.query<SessionRecord>(
      `SELECT encode(device_key, 'hex') AS device, venue_id AS "venueId", zone_id AS "zoneId",
              extract(epoch FROM started_at)::float8 AS start, extract(epoch FROM ended_at)::float8 AS "end",
              strong_seconds AS "strongSeconds", kind
         FROM analytics_sessions
        WHERE venue_id = $1 AND started_at >= to_timestamp($2) AND started_at < to_timestamp($3)
          AND ended_at >= to_timestamp($4) AND ${zoneFilter}
        ORDER BY started_at`,
      params,
    );
    return rows;
  }

  /**
   * Local visit days (venue time zone) of the devices that visited in
   * [from, to), with `historyDays` of history before it: what new vs repeat,
   * loyalty and visit frequency need.
   */
  async visitDays(venueId: string, from: number, to: number, timeZone: string, historyDays: number): Promise<DeviceDays[]> {
    const { rows } = await this.db.query<DeviceDays>(
      `SELECT encode(device_key, 'hex') AS device,
              array_agg(DISTINCT to_char(started_at AT TIME ZONE $5, 'YYYY-MM-DD')) AS days
         FROM analytics_sessions
        WHERE venue_id = $1 AND zone_id IS NULL AND kind = 'visitor'
          AND started_at >= to_timestamp($2) - make_interval(days => $4) AND started_at < to_timestamp($3)
        GROUP BY device_key
       HAVING bool_or(started_at >= to_timestamp($2))`,
      [venueId, from, to, historyDays, timeZone],
    );
    return rows;
  }

  /** Distinct visitor devices per venue of an organisation in [from, to). */
  async visitorsByVenue(orgId: string, from: number, to: number): Promise<Map<string, Set<string>>> {
    const { rows } = await this.db.query<{ venueId: string; devices: string[] }>(
      `SELECT venue_id AS "venueId", array_agg(DISTINCT encode(device_key, 'hex')) AS devices
         FROM analytics_sessions
        WHERE org_id = $1 AND zone_id IS NULL AND kind = 'visitor' AND started_at >= to_timestamp($2) AND started_at < to_timestamp($3)
        GROUP BY venue_id`,
      [orgId, from, to],
    );
    return new Map(rows.map((row) => [row.venueId, new Set(row.devices)]));
  }

  /**
   * Replaces the sessions of a venue that started in [from, to) and moves the
   * venue's rollup mark from `doneUntil` (as read before the run) to `to`: run
   * inside one transaction, so re-running a window after a crash gives the
   * same rows, never twice.
   */
  async replaceWindow(orgId: string, venueId: string, window: { from: number; to: number; doneUntil: number | undefined }, sessions: readonly StoredSession[]): Promise<void> {
    const { from, to } = window;
    await this.db.query('DELETE FROM analytics_sessions WHERE venue_id = $1 AND started_at >= to_timestamp($2) AND started_at < to_timestamp($3)', [venueId, from, to]);
    if (sessions.length > 0) {
      await this.db.query(
        `INSERT INTO analytics_sessions (org_id, venue_id, zone_id, device_key, started_at, ended_at, strong_seconds, probes, max_rssi, kind, known)
         SELECT $1, $2, zone_id, decode(device, 'hex'), to_timestamp(s), to_timestamp(e), strong, probes, rssi, kind, known
           FROM unnest($3::uuid[], $4::text[], $5::float8[], $6::float8[], $7::int[], $8::int[], $9::int[], $10::text[], $11::bool[])
             AS t(zone_id, device, s, e, strong, probes, rssi, kind, known)`,
        [
          orgId,
          venueId,
          sessions.map((s) => s.zoneId),
          sessions.map((s) => s.device),
          sessions.map((s) => s.start),
          sessions.map((s) => s.end),
          sessions.map((s) => Math.round(s.strongSeconds)),
          sessions.map((s) => s.probes),
          sessions.map((s) => s.maxRssi),
          sessions.map((s) => s.kind),
          sessions.map((s) => s.known),
        ],
      );
    }
    // Compare-and-set: when late probes moved the mark back meanwhile, keep it back so the next run recomputes.
    if (window.doneUntil === undefined) {
      await this.db.query('INSERT INTO analytics_rollups (venue_id, org_id, done_until) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT (venue_id) DO NOTHING', [venueId, orgId, to]);
    } else {
      await this.db.query('UPDATE analytics_rollups SET done_until = to_timestamp($3), updated_at = now() WHERE venue_id = $1 AND org_id = $2 AND done_until = to_timestamp($4)', [
        venueId,
        orgId,
        to,
        window.doneUntil,
      ]);
    }
  }

  /** Start of the oldest venue-level session that ended at or after `cutoff`: it may still be growing. */
  async openSince(venueId: string, cutoff: number): Promise<number | undefined> {
    const { rows } = await this.db.query<{ since: number | null }>(
      'SELECT extract(epoch FROM min(started_at))::float8 AS since FROM analytics_sessions WHERE venue_id = $1 AND ended_at >= to_timestamp($2)',
      [venueId, cutoff],
    );
    return rows[0]?.since ?? undefined;
  }

  async doneUntil(venueId: string): Promise<number | undefined> {
    const { rows } = await this.db.query<{ until: number }>('SELECT extract(epoch FROM done_until)::float8 AS until FROM analytics_rollups WHERE venue_id = $1', [venueId]);
    return rows[0]?.until;
  }
}
