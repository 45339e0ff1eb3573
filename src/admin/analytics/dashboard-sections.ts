import type { VenueMetrics } from '../../analytics/metrics/metrics.service.js';
import type { Transition } from '../../analytics/metrics/routes.js';
import { applyFit } from '../../analytics/pipeline/calibration.js';
import { barChart, lineChart, type LineSeries } from './charts.js';
import { decimal, localTime, minutes, percent } from './format.js';
import { matrixChart } from './matrix-chart.js';

export interface ZoneName {
  id: string;
  name: string;
}

/** The routes table lists the most frequent moves; the matrix shows all of them. */
const TOP_ROUTES = 15;

/** "Occupancy now" as of the rollup (sessions after it are not known yet), and the mean occupancy per interval. */
export function occupancyView(metrics: VenueMetrics, labels: readonly string[], timeOf: (epochSeconds: number) => string, now: number) {
  const asOf = Math.min(now, metrics.rolledUpUntil ?? now);
  const fit = metrics.calibration.occupancy;
  const calibrated = metrics.series.some((p) => p.occupancyCalibrated !== undefined);
  const series: LineSeries[] = [{ name: 'Visitors present', values: metrics.series.map((p) => p.occupancy) }];
  if (calibrated) series.push({ name: 'Calibrated (people)', values: metrics.series.map((p) => p.occupancyCalibrated ?? null) });
  const peak = Math.max(0, ...metrics.series.map((p) => p.occupancy));
  return {
    now: metrics.occupancyNow,
    nowCalibrated: fit === null ? null : decimal(applyFit(fit, metrics.occupancyNow), 0),
    asOf: localTime(asOf, metrics.venue.timezone),
    calibrated,
    rows: metrics.series.map((p) => ({ time: timeOf(p.start), occupancy: decimal(p.occupancy), calibrated: decimal(p.occupancyCalibrated ?? null) })),
    chart: lineChart({
      title: 'Occupancy over time: visitors present',
      description: `Mean number of visitors inside per interval; the busiest interval had ${decimal(peak)}.`,
      labels,
      series,
    }),
  };
}

export function bounceView(bounce: VenueMetrics['bounce'], bounceSeconds: number) {
  return { rate: percent(bounce.rate), bounces: bounce.bounces, entries: bounce.entries, limit: minutes(bounceSeconds) };
}

export function frequencyView(frequency: VenueMetrics['frequency']) {
  const returns = frequency.reduce((sum, f) => sum + f.returns, 0);
  return {
    returns,
    rows: frequency,
    chart: barChart({
      title: 'Visit frequency: days between visits (returns)',
      description: `${String(returns)} return visits in the period, by the days since the device's previous visit.`,
      bars: frequency.map((f) => ({ label: f.label, value: f.returns })),
    }),
  };
}

/** Zones in the venue's order, then any zone a route mentions that is gone since. */
function zonesOfRoutes(routes: readonly Transition[], zones: readonly ZoneName[]): ZoneName[] {
  const known = new Map(zones.map((z) => [z.id, z.name]));
  const all = [...zones];
  for (const id of routes.flatMap((r) => [r.from, r.to])) {
    if (!known.has(id)) {
      known.set(id, 'Removed zone');
      all.push({ id, name: 'Removed zone' });
    }
  }
  return all;
}

/** Moves between zones as a from × to matrix and a table of the most frequent; null when the venue has no zones. */
export function routesView(routes: readonly Transition[], zones: readonly ZoneName[]) {
  if (zones.length === 0) return null;
  const all = zonesOfRoutes(routes, zones);
  const nameOf = new Map(all.map((z) => [z.id, z.name]));
  const count = new Map(routes.map((r) => [`${r.from}>${r.to}`, r.count]));
  const total = routes.reduce((sum, r) => sum + r.count, 0);
  const top = routes[0];
  return {
    total,
    rows: routes.slice(0, TOP_ROUTES).map((r) => ({ from: nameOf.get(r.from) ?? r.from, to: nameOf.get(r.to) ?? r.to, count: r.count })),
    more: Math.max(0, routes.length - TOP_ROUTES),
    chart: matrixChart({
      title: 'Routes between zones: moves from one zone to the next',
      description: top
        ? `${String(total)} moves in the period; the most common is ${nameOf.get(top.from) ?? ''} to ${nameOf.get(top.to) ?? ''} (${String(top.count)}).`
        : 'No moves between zones in the period.',
      rows: all.map((z) => z.name),
      columns: all.map((z) => z.name),
      values: all.map((from) => all.map((to) => (from.id === to.id ? null : (count.get(`${from.id}>${to.id}`) ?? 0)))),
      axes: { rows: 'From', columns: 'To' },
    }),
  };
}
