import { z } from 'zod';
import type { Intersection } from '../../analytics/metrics/routes.js';
import { validate } from '../../shared/validate.js';
import { localTime, percent } from './format.js';
import { matrixChart } from './matrix-chart.js';

export const OVERLAP_PERIODS = [
  { value: '24h', label: 'Last 24 hours', seconds: 86_400 },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86_400 },
  { value: '30d', label: 'Last 30 days', seconds: 30 * 86_400 },
  { value: '90d', label: 'Last 90 days', seconds: 90 * 86_400 },
] as const;

const schema = z.object({ period: z.enum(['24h', '7d', '30d', '90d']).default('7d') });

export type OverlapPeriod = (typeof OVERLAP_PERIODS)[number]['value'];

export function parseOverlapQuery(query: unknown): OverlapPeriod {
  return validate(schema, query).period;
}

/** The metrics query for the period: it ends now. */
export function overlapQueryOf(period: OverlapPeriod, now: Date): Record<string, string> {
  const to = Math.floor(now.getTime() / 1000);
  const seconds = OVERLAP_PERIODS.find((p) => p.value === period)?.seconds ?? 7 * 86_400;
  return { from: String(to - seconds), to: String(to) };
}

export interface VenueName {
  id: string;
  name: string;
  timezone: string;
}

interface Cell {
  self: boolean;
  shared: number;
  share: string;
}

/** The venue × venue overlap: rows are "of this venue's visitors", columns "also seen at". */
export function intersectionsView(venues: readonly VenueName[], items: readonly Intersection[], period: { from: number; to: number }) {
  const pair = new Map(items.map((i) => [`${i.venueId}>${i.otherVenueId}`, i]));
  const visitorsOf = (id: string): number => items.find((i) => i.venueId === id)?.visitors ?? 0;
  const rows = venues.map((venue) => ({
    name: venue.name,
    visitors: visitorsOf(venue.id),
    cells: venues.map((other): Cell => {
      const found = pair.get(`${venue.id}>${other.id}`);
      if (other.id === venue.id || !found) return { self: true, shared: 0, share: '' };
      return { self: false, shared: found.shared, share: percent(found.share) };
    }),
  }));
  const names = venues.map((v) => v.name);
  const top = [...items].filter((i) => i.share !== null).sort((a, b) => (b.share ?? 0) - (a.share ?? 0))[0];
  const nameOf = (id: string): string => venues.find((v) => v.id === id)?.name ?? id;
  const timeZone = venues[0]?.timezone ?? 'UTC';
  return {
    enough: venues.length >= 2,
    anyVisitors: rows.some((r) => r.visitors > 0),
    columns: names,
    rows,
    from: localTime(period.from, timeZone),
    to: localTime(period.to, timeZone),
    timeZone,
    chart: matrixChart({
      title: "Visitor overlap between venues: share of the row venue's visitors also seen at the column venue",
      description: top
        ? `Highest: ${percent(top.share)} of ${nameOf(top.venueId)}'s visitors were also seen at ${nameOf(top.otherVenueId)}.`
        : 'No visitors in the period.',
      rows: names,
      columns: names,
      values: venues.map((venue) =>
        venues.map((other) => {
          const share = other.id === venue.id ? null : (pair.get(`${venue.id}>${other.id}`)?.share ?? null);
          return share === null ? null : Number((share * 100).toFixed(1));
        }),
      ),
      formatValue: (v) => `${v.toFixed(1)}%`,
      axes: { rows: 'Visitors of', columns: 'Also seen at' },
    }),
  };
}
