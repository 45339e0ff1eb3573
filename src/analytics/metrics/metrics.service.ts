import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import type { VenueService } from '../../tenancy/index.js';
import type { VenueAnalyticsSettings } from '../analytics.settings.js';
import { bucketsOf, localDay, type Interval } from './buckets.js';
import { applyCalibration, type CalibrationReport } from './calibration.js';
import { CalibrationRepository } from './calibration.repository.js';
import { frequencyOf, loyaltyOf, type LoyaltySummary } from './loyalty.js';
import { parseMetricsQuery } from './metrics.query.js';
import { intersectionsOf, routesOf, type Intersection, type Transition } from './routes.js';
import { occupancyNow, seriesOf, type SeriesPoint } from './series.js';
import { SessionRepository } from './session.repository.js';
import { bounceRateOf, dwellOf, type DwellSummary } from './visits.js';

/** Loyalty classes look back four weeks; the visit-frequency histogram a quarter. */
const HISTORY_DAYS = 92;

export interface VenueMetrics {
  venue: { id: string; name: string; timezone: string };
  zoneId: string | null;
  period: { from: number; to: number; interval: Interval };
  /** Sessions are complete up to this time; later intervals may still grow. */
  rolledUpUntil: number | null;
  totals: { footfall: number; passersby: number; visitors: number; captureRate: number | null; footfallCalibrated?: number };
  /** Fits from the venue's uploaded manual counts (venue level only); the series then carry `*Calibrated` values. */
  calibration: { footfall: CalibrationReport['fit']; occupancy: CalibrationReport['fit'] };
  occupancyNow: number;
  series: CalibratedPoint[];
  dwell: DwellSummary;
  bounce: { entries: number; bounces: number; rate: number | null };
  loyalty: LoyaltySummary;
  frequency: { label: string; returns: number }[];
  routes: Transition[];
}

export interface CalibratedPoint extends SeriesPoint {
  footfallCalibrated?: number;
  occupancyCalibrated?: number;
}

export interface MetricsDeps {
  db: Db;
  clock: Clock;
  venues: VenueService;
  settingsFor(orgId: string, venueId: string): Promise<VenueAnalyticsSettings>;
}

/** Footfall and visitor metrics of a venue or zone, computed from rolled-up sessions. */
export class MetricsService {
  private readonly sessions: SessionRepository;
  private readonly calibrations: CalibrationRepository;

  constructor(private readonly deps: MetricsDeps) {
    this.sessions = new SessionRepository(deps.db);
    this.calibrations = new CalibrationRepository(deps.db);
  }

  private now(): number {
    return this.deps.clock.now().getTime() / 1000;
  }

  async venueMetrics(orgId: string, venueId: string, rawQuery: unknown): Promise<VenueMetrics> {
    const query = parseMetricsQuery(rawQuery, this.now());
    const venue = await this.deps.venues.get(orgId, venueId);
    if (query.zoneId !== undefined) await this.deps.venues.placement(orgId, venueId, query.zoneId);
    const settings = await this.deps.settingsFor(orgId, venueId);
    const scope = query.zoneId === undefined ? 'venue' : { zoneId: query.zoneId };
    const [sessions, zoneSessions, days, rolledUpUntil, calibrations] = await Promise.all([
      this.sessions.list(venueId, query.from, query.to, scope),
      query.zoneId === undefined ? this.sessions.list(venueId, query.from, query.to, 'zones') : Promise.resolve([]),
      this.sessions.visitDays(venueId, query.from, query.to, venue.timezone, HISTORY_DAYS),
      this.sessions.doneUntil(venueId),
      query.zoneId === undefined ? this.calibrations.list(venueId) : Promise.resolve([]),
    ]);
    const fits = { footfall: calibrations.find((c) => c.kind === 'footfall')?.report ?? null, occupancy: calibrations.find((c) => c.kind === 'occupancy')?.report ?? null };
    const series = calibrated(seriesOf(sessions, bucketsOf(query.from, query.to, query.interval, venue.timezone)), fits);
    const firstDay = localDay(query.from, venue.timezone);
    const lastDay = localDay(query.to - 1, venue.timezone);
    const started = sessions.filter((s) => s.start >= query.from && s.start < query.to);
    return {
      venue: { id: venue.id, name: venue.name, timezone: venue.timezone },
      zoneId: query.zoneId ?? null,
      period: { from: query.from, to: query.to, interval: query.interval },
      rolledUpUntil: rolledUpUntil ?? null,
      totals: totalsOf(series),
      calibration: { footfall: fits.footfall?.fit ?? null, occupancy: fits.occupancy?.fit ?? null },
      occupancyNow: occupancyNow(sessions, Math.min(this.now(), rolledUpUntil ?? this.now())),
      series,
      dwell: dwellOf(started),
      bounce: bounceRateOf(started, settings.bounceSeconds),
      loyalty: loyaltyOf(days, firstDay, lastDay),
      frequency: frequencyOf(days, firstDay, lastDay),
      routes: routesOf(zoneSessions, settings.sessionTimeoutSeconds),
    };
  }

  /** Share of each venue's visitors also seen at each other venue of the organisation. */
  async intersections(orgId: string, rawQuery: unknown): Promise<{ period: { from: number; to: number }; items: Intersection[] }> {
    const query = parseMetricsQuery(rawQuery, this.now());
    const byVenue = await this.sessions.visitorsByVenue(orgId, query.from, query.to);
    for (const venue of await this.deps.venues.list(orgId)) if (!byVenue.has(venue.id)) byVenue.set(venue.id, new Set());
    return { period: { from: query.from, to: query.to }, items: intersectionsOf(byVenue) };
  }
}

type Fits = Record<'footfall' | 'occupancy', CalibrationReport | null>;

function calibrated(series: SeriesPoint[], fits: Fits): CalibratedPoint[] {
  const round = (x: number): number => Number(x.toFixed(2));
  return series.map((point) => {
    const length = point.end - point.start;
    const out: CalibratedPoint = { ...point };
    const { footfall, occupancy } = fits;
    if (footfall?.fit) out.footfallCalibrated = round(applyCalibration(footfall.fit, 'footfall', point.footfall, length, footfall.intervalSeconds));
    if (occupancy?.fit) out.occupancyCalibrated = round(applyCalibration(occupancy.fit, 'occupancy', point.occupancy, length, occupancy.intervalSeconds));
    return out;
  });
}

function totalsOf(series: CalibratedPoint[]): VenueMetrics['totals'] {
  const passersby = series.reduce((sum, p) => sum + p.passersby, 0);
  const visitors = series.reduce((sum, p) => sum + p.visitors, 0);
  const footfall = passersby + visitors;
  const totals: VenueMetrics['totals'] = { footfall, passersby, visitors, captureRate: footfall ? Number((visitors / footfall).toFixed(4)) : null };
  if (series.some((p) => p.footfallCalibrated !== undefined)) totals.footfallCalibrated = Number(series.reduce((sum, p) => sum + (p.footfallCalibrated ?? 0), 0).toFixed(2));
  return totals;
}

const CSV_COLUMNS: (keyof CalibratedPoint)[] = ['footfall', 'passersby', 'visitors', 'captureRate', 'devices', 'occupancy', 'footfallCalibrated', 'occupancyCalibrated'];

/** The series as CSV: interval start and end in ISO 8601 UTC, then the counts (numbers only, so no cell needs quoting). */
export function seriesToCsv(series: readonly CalibratedPoint[]): string {
  const header = ['start', 'end', 'footfall', 'passersby', 'visitors', 'capture_rate', 'devices', 'occupancy', 'footfall_calibrated', 'occupancy_calibrated'].join(',');
  const rows = series.map((p) =>
    [new Date(p.start * 1000).toISOString(), new Date(p.end * 1000).toISOString(), ...CSV_COLUMNS.map((c) => (p[c] === null || p[c] === undefined ? '' : String(p[c])))].join(','),
  );
  return [header, ...rows].join('\r\n') + '\r\n';
}
