import type { Queryable } from '../../db/pool.js';
import { isId } from '../../shared/ids.js';

/** What the engine looks up about the places and people an event names (always within the organisation). */
export interface VenueInfo {
  id: string;
  name: string;
  timezone: string;
}

/**
 * Venue names and time zones change rarely and every event needs one: each
 * process keeps them a short while (a renamed venue shows in webhooks within it).
 */
export class VenueCache {
  private readonly entries = new Map<string, { venue: VenueInfo; until: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(db: Queryable, orgId: string, venueId: string): Promise<VenueInfo | undefined> {
    const key = `${orgId}:${venueId}`;
    const cached = this.entries.get(key);
    if (cached && cached.until > this.now()) return cached.venue;
    const venue = await venueInfo(db, orgId, venueId);
    if (venue) {
      if (this.entries.size >= 10_000) this.entries.clear();
      this.entries.set(key, { venue, until: this.now() + this.ttlMs });
    }
    return venue;
  }
}

export async function venueInfo(db: Queryable, orgId: string, venueId: string): Promise<VenueInfo | undefined> {
  if (!isId(venueId)) return undefined;
  const { rows } = await db.query<VenueInfo>('SELECT id, name, timezone FROM venues WHERE org_id = $1 AND id = $2', [orgId, venueId]);
  return rows[0];
}

/** The ids among these that are not zones of the venue in this organisation. */
export async function unknownZones(db: Queryable, orgId: string, venueId: string, zoneIds: string[]): Promise<Set<string>> {
  const wanted = [...new Set(zoneIds)].filter(isId);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM zones WHERE org_id = $1 AND venue_id = $2 AND id = ANY($3::uuid[])', [orgId, venueId, wanted]);
  const known = new Set(rows.map((r) => r.id));
  return new Set(zoneIds.filter((id) => !known.has(id)));
}

/** The ids among these that are not visitors of this organisation. */
export async function unknownVisitors(db: Queryable, orgId: string, visitorIds: string[]): Promise<Set<string>> {
  const wanted = [...new Set(visitorIds)].filter(isId);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM visitors WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, wanted]);
  const known = new Set(rows.map((r) => r.id));
  return new Set(visitorIds.filter((id) => !known.has(id)));
}

/** The ids among these that are not venues of this organisation. */
export async function unknownVenues(db: Queryable, orgId: string, venueIds: string[]): Promise<Set<string>> {
  const wanted = [...new Set(venueIds)].filter(isId);
  const { rows } = await db.query<{ id: string }>('SELECT id FROM venues WHERE org_id = $1 AND id = ANY($2::uuid[])', [orgId, wanted]);
  const known = new Set(rows.map((r) => r.id));
  return new Set(venueIds.filter((id) => !known.has(id)));
}
