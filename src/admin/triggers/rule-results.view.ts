import { MIN_GROUP_SIZE, type RuleResults } from '../../triggers/index.js';
import { horizontalBarChart } from './results-charts.js';

/** Per-rule results as the page shows them: numbers, charts with their tables, and the lift in words. */

export const PERIODS = ['7', '30', '90'] as const;

export const REASON_LABELS: Record<string, string> = {
  audience: 'Not in the audience',
  outside_schedule: 'Outside the schedule',
  cooldown: 'Cooldown not over',
  daily_cap: 'Daily cap reached',
  control_group: 'Control group (held back)',
  no_consent: 'No consent',
  opted_out: 'Opted out',
  quiet_hours: 'Quiet hours (not sent)',
  endpoint_disabled: 'Endpoint disabled',
  visitor_erased: 'Visitor erased',
  other: 'Other',
};

const DELIVERY_STATUSES = ['pending', 'held', 'delivered', 'failed', 'suppressed'] as const;
const CHANNELS = [
  { value: 'sms', label: 'SMS' },
  { value: 'webhook', label: 'Webhook' },
] as const;

const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

function deliveryTable(r: RuleResults) {
  const count = (channel: string, status: string) => r.deliveries.filter((d) => d.channel === channel && d.status === status).reduce((t, d) => t + d.deliveries, 0);
  return {
    statuses: DELIVERY_STATUSES,
    rows: CHANNELS.map((c) => {
      const cells = DELIVERY_STATUSES.map((s) => count(c.value, s));
      return { label: c.label, cells, total: cells.reduce((t, v) => t + v, 0) };
    }),
    total: r.deliveries.reduce((t, d) => t + d.deliveries, 0),
  };
}

function liftView(r: RuleResults) {
  const { treated, control, lift, small } = r.lift;
  const liftText = lift === null ? 'Not measurable yet' : `${lift >= 0 ? '+' : '−'}${Math.abs(lift * 100).toFixed(1)}%`;
  const why =
    control.visitors === 0
      ? 'No visitor was in the control group in this period: give the rule a control group to measure lift.'
      : lift === null
        ? 'Nobody in the control group came back yet, so there is nothing to compare with.'
        : undefined;
  return {
    treated: { ...treated, rate: percent(treated.rate) },
    control: { ...control, rate: percent(control.rate) },
    liftText,
    why,
    small,
    chart: horizontalBarChart({
      title: 'Share of visitors who came back: messaged vs control group',
      bars: [
        { label: `Messaged (${String(treated.visitors)} visitors)`, value: (treated.rate ?? 0) * 100 },
        { label: `Control group (${String(control.visitors)} visitors)`, value: (control.rate ?? 0) * 100 },
      ],
      max: 100,
      formatValue: (v) => `${v.toFixed(1)}%`,
    }),
  };
}

export function resultsView(r: RuleResults) {
  const reasons = r.suppressedByReason.map((s) => ({ reason: s.reason, label: REASON_LABELS[s.reason] ?? s.reason, decisions: s.decisions }));
  return {
    from: r.from.toISOString().slice(0, 16).replace('T', ' '),
    to: r.to.toISOString().slice(0, 16).replace('T', ' '),
    numbers: [
      { label: 'Events matched', value: r.matched },
      { label: 'Fired', value: r.fired },
      { label: 'Held for quiet hours', value: r.held },
      { label: 'Suppressed', value: r.suppressed },
      { label: 'Control group visitors', value: r.control.visitors },
    ],
    reasons,
    reasonChart: horizontalBarChart({
      title: 'Suppressed decisions by reason',
      description: `${String(r.suppressed)} of ${String(r.matched)} matched events were suppressed.`,
      bars: reasons.map((s) => ({ label: s.label, value: s.decisions })),
    }),
    control: r.control,
    deliveries: deliveryTable(r),
    lift: liftView(r),
    gapMinutes: r.lift.gapMinutes,
    minGroup: MIN_GROUP_SIZE,
  };
}
