import { z } from 'zod';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { validate } from '../../shared/validate.js';
import { SUPPRESSION_REASONS } from '../ports.js';
import type { RuleService } from '../rules/rule.service.js';
import { deliveryCounts, outcomeCounts, returnCounts, type DeliveryCount, type ReturnCount } from './rule-results.repository.js';

/** A return this soon after the decision is the same outing, not a return. */
export const RETURN_GAP_MINUTES = 60;
/** Below this many visitors in either group, a lift figure is mostly noise. */
export const MIN_GROUP_SIZE = 30;

export const resultsQuerySchema = z.strictObject({ days: z.coerce.number().int().min(1).max(366) });

export interface GroupReturns {
  visitors: number;
  returned: number;
  /** returned / visitors; null for an empty group. */
  rate: number | null;
}

export interface RuleResults {
  from: Date;
  to: Date;
  days: number;
  /** Events whose trigger and scope matched the rule: one decision each. */
  matched: number;
  fired: number;
  /** Fired with an SMS held until quiet hours end. */
  held: number;
  suppressed: number;
  /** Every suppression reason (zero included), then "other" for reasonless ones if any. */
  suppressedByReason: { reason: string; decisions: number }[];
  control: { decisions: number; visitors: number };
  deliveries: DeliveryCount[];
  lift: {
    treated: GroupReturns;
    control: GroupReturns;
    /** treated rate / control rate - 1; null when the control rate is zero or a group is empty. */
    lift: number | null;
    /** Either group has fewer than MIN_GROUP_SIZE visitors. */
    small: boolean;
    gapMinutes: number;
  };
}

const groupOf = (rows: ReturnCount[], group: ReturnCount['group']): GroupReturns => {
  const row = rows.find((r) => r.group === group);
  const visitors = row?.visitors ?? 0;
  const returned = row?.returned ?? 0;
  return { visitors, returned, rate: visitors === 0 ? null : returned / visitors };
};

/** Lift of the messaged group over the control group. */
export function liftOf(treated: GroupReturns, control: GroupReturns): number | null {
  if (treated.rate === null || control.rate === null || control.rate === 0) return null;
  return treated.rate / control.rate - 1;
}

/** Per-rule results over the last `days` days: the funnel, suppressions by reason, deliveries, control-group lift. */
export class RuleResultsService {
  constructor(private readonly deps: { db: Db; clock: Clock; rules: Pick<RuleService, 'getRule'> }) {}

  async results(orgId: string, ruleId: string, query: unknown): Promise<RuleResults> {
    const { days } = validate(resultsQuerySchema, query);
    // Another organisation's rule is not found, like a missing one.
    const rule = await this.deps.rules.getRule(orgId, ruleId);
    const to = this.deps.clock.now();
    const from = new Date(to.getTime() - days * 24 * 60 * 60 * 1000);
    const window = { orgId, ruleId: rule.id, from, to };
    const [outcomes, deliveries, returns] = await Promise.all([
      outcomeCounts(this.deps.db, window),
      deliveryCounts(this.deps.db, window),
      returnCounts(this.deps.db, window, RETURN_GAP_MINUTES),
    ]);
    const sum = (pick: (o: (typeof outcomes)[number]) => number, where: (o: (typeof outcomes)[number]) => boolean = () => true) =>
      outcomes.filter(where).reduce((total, o) => total + pick(o), 0);
    const suppressedOf = (reason: string | null) => sum((o) => o.decisions, (o) => o.outcome === 'suppressed' && o.reason === reason);
    const known = new Set<string>(SUPPRESSION_REASONS);
    const other = sum((o) => o.decisions, (o) => o.outcome === 'suppressed' && (o.reason === null || !known.has(o.reason)));
    const treated = groupOf(returns, 'treated');
    const control = groupOf(returns, 'control');
    return {
      from,
      to,
      days,
      matched: sum((o) => o.decisions),
      fired: sum((o) => o.decisions, (o) => o.outcome === 'fired'),
      held: sum((o) => o.held),
      suppressed: sum((o) => o.decisions, (o) => o.outcome === 'suppressed'),
      suppressedByReason: [...SUPPRESSION_REASONS.map((reason) => ({ reason, decisions: suppressedOf(reason) })), ...(other > 0 ? [{ reason: 'other', decisions: other }] : [])],
      control: { decisions: suppressedOf('control_group'), visitors: sum((o) => o.visitors, (o) => o.reason === 'control_group') },
      deliveries,
      lift: { treated, control, lift: liftOf(treated, control), small: treated.visitors < MIN_GROUP_SIZE || control.visitors < MIN_GROUP_SIZE, gapMinutes: RETURN_GAP_MINUTES },
    };
  }
}
