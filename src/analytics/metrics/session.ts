/**
 * One continuous presence of one (pseudonymous) device at a venue, or at one
 * zone of it, as the rollup stores it. Everything the dashboards show is
 * derived from these; none of them carries a MAC.
 */
export interface SessionRecord {
  /** Pseudonymous device key (salted hash or linked-device id), stable within a salt period. */
  device: string;
  venueId: string;
  /** null: the venue-level session; otherwise the zone's own session. */
  zoneId: string | null;
  /** Epoch seconds. */
  start: number;
  end: number;
  /** Seconds with a strong (inside) signal. */
  strongSeconds: number;
  kind: 'visitor' | 'passerby';
}

export const durationOf = (session: SessionRecord): number => Math.max(0, session.end - session.start);
