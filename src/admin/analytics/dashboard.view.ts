import { z } from 'zod';
import type { VenueMetrics } from '../../analytics/metrics/metrics.service.js';
import { validate } from '../../shared/validate.js';
import { barChart, lineChart } from './charts.js';
import { bounceView, frequencyView, occupancyView, routesView, type ZoneName } from './dashboard-sections.js';
import { minutes, percent } from './format.js';

/** The choices the dashboard form offers; anything else in the URL is a 400. */
export const PERIODS = [
  { value: '24h', label: 'Last 24 hours', seconds: 86_400 },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86_400 },
  { value: '30d', label: 'Last 30 days', seconds: 30 * 86_400 },
] as const;

export const INTERVALS = [
  { value: '15m', label: '15 minutes', api: '15m', seconds: 900 },
  { value: '1h', label: '1 hour', api: '1h', seconds: 3600 },
  { value: '1d', label: '1 day', api: 'day', seconds: 86_400 },
] as const;

type PeriodValue = (typeof PERIODS)[number]['value'];
type IntervalValue = (typeof INTERVALS)[number]['value'];

/** More points than this make unreadable charts and huge data tables. */
const MAX_POINTS = 800;

const schema = z.object({
  period: z.enum(['24h', '7d', '30d']).default('24h'),
  interval: z.enum(['15m', '1h', '1d']).default('1h'),
  // '' is the form's "Whole venue"; whether the zone is this venue's is the metrics service's check.
  zone: z.union([z.literal(''), z.uuid({ message: 'expected a zone of this venue' })]).optional(),
});

export interface DashboardChoice {
  period: PeriodValue;
  interval: IntervalValue;
  /** A zone of the venue, or undefined for the whole venue. */
  zone?: string;
  /** Shown next to the interval field when the combination has too many points. */
  intervalError?: string;
}

export function parseDashboardQuery(query: unknown): DashboardChoice {
  const { period, interval, zone } = validate(schema, query);
  const choice: DashboardChoice = zone ? { period, interval, zone } : { period, interval };
  const points = periodOf(period).seconds / intervalOf(interval).seconds;
  if (points > MAX_POINTS) return { ...choice, intervalError: `That is ${String(points)} intervals: choose a longer interval or a shorter period.` };
  return choice;
}

const periodOf = (value: PeriodValue) => PERIODS.find((p) => p.value === value) ?? PERIODS[0];
const intervalOf = (value: IntervalValue) => INTERVALS.find((i) => i.value === value) ?? INTERVALS[1];

/** The metrics query for a choice: the period ends at the end of the current interval, so it includes now. */
export function metricsQueryOf(choice: DashboardChoice, now: Date): Record<string, string> {
  const seconds = Math.floor(now.getTime() / 1000);
  const interval = intervalOf(choice.interval);
  const to = interval.api === 'day' ? seconds : Math.ceil(seconds / interval.seconds) * interval.seconds;
  const query: Record<string, string> = { from: String(to - periodOf(choice.period).seconds), to: String(to), interval: interval.api };
  if (choice.zone) query.zone = choice.zone;
  return query;
}

export function formOptions(choice: DashboardChoice, zones: readonly ZoneName[]) {
  return {
    periods: PERIODS.map((p) => ({ value: p.value, label: p.label, selected: p.value === choice.period })),
    intervals: INTERVALS.map((i) => ({ value: i.value, label: i.label, selected: i.value === choice.interval })),
    zones: zones.map((z) => ({ value: z.id, label: z.name, selected: z.id === choice.zone })),
  };
}

function timeLabel(timeZone: string, choice: DashboardChoice, long: boolean): (epochSeconds: number) => string {
  const daily = choice.interval === '1d';
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    ...(daily || long || choice.period !== '24h' ? { weekday: 'short', day: 'numeric', month: 'short' } : {}),
    ...(daily ? {} : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  });
  return (epochSeconds) => format.format(new Date(epochSeconds * 1000));
}

/** What the dashboard needs besides the metrics: the venue's zones (for names and routes), its bounce setting and the time. */
export interface DashboardContext {
  zones: readonly ZoneName[];
  bounceSeconds: number;
  now: number;
}

/** Everything the dashboard template shows, charts already rendered to SVG. */
export function dashboardView(metrics: VenueMetrics, choice: DashboardChoice, context: DashboardContext) {
  const axis = timeLabel(metrics.venue.timezone, choice, false);
  const full = timeLabel(metrics.venue.timezone, choice, true);
  const labels = metrics.series.map((p) => axis(p.start));
  const rows = metrics.series.map((p) => ({ time: full(p.start), visitors: p.visitors, passersby: p.passersby, captureRate: percent(p.captureRate) }));
  const { loyalty, dwell, totals } = metrics;
  return {
    totals: { ...totals, captureRate: percent(totals.captureRate) },
    zoneName: context.zones.find((z) => z.id === metrics.zoneId)?.name ?? null,
    dwellMedian: minutes(dwell.median),
    dwellMean: minutes(dwell.mean),
    dwellVisits: dwell.visits,
    bounce: bounceView(metrics.bounce, context.bounceSeconds),
    rolledUpUntil: metrics.rolledUpUntil === null ? null : full(metrics.rolledUpUntil),
    occupancy: occupancyView(metrics, labels, full, context.now),
    rows,
    footfallChart: lineChart({
      title: 'Footfall over time: visitors and passers-by',
      description: `Per interval, ${String(totals.visitors)} visitors and ${String(totals.passersby)} passers-by in total.`,
      labels,
      series: [
        { name: 'Visitors', values: metrics.series.map((p) => p.visitors) },
        { name: 'Passers-by', values: metrics.series.map((p) => p.passersby) },
      ],
    }),
    captureChart: lineChart({
      title: 'Capture rate over time',
      description: `Share of passers-by who came in; ${percent(totals.captureRate)} over the period.`,
      labels,
      series: [{ name: 'Capture rate', values: metrics.series.map((p) => p.captureRate) }],
      yMax: 1,
      formatY: (v) => `${String(Math.round(v * 100))}%`,
    }),
    dwell: dwell.buckets.map((b) => ({ label: b.label, visits: b.visits })),
    dwellChart: barChart({ title: 'Dwell time distribution (visits)', description: `Median dwell ${minutes(dwell.median)}.`, bars: dwell.buckets.map((b) => ({ label: b.label, value: b.visits })) }),
    loyalty: [
      { label: 'New', devices: loyalty.newDevices },
      { label: 'Repeat', devices: loyalty.repeatDevices },
    ],
    loyaltyChart: barChart({
      title: 'New vs repeat visitors (devices)',
      bars: [
        { label: 'New', value: loyalty.newDevices },
        { label: 'Repeat', value: loyalty.repeatDevices },
      ],
    }),
    frequency: frequencyView(metrics.frequency),
    routes: routesView(metrics.routes, context.zones),
  };
}
