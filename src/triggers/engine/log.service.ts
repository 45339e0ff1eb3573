import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { AppError, notFound } from '../../shared/errors.js';
import { idSchema, isId } from '../../shared/ids.js';
import { validate } from '../../shared/validate.js';
import { SUPPRESSION_REASONS } from '../ports.js';
import type { DeliverJob } from '../triggers.jobs.js';
import { page } from './cursor.js';
import { listDecisions, type DecisionRow } from './decision.repository.js';
import { getDelivery, listDeliveries, markReplayed, type DeliveryRow } from './delivery.repository.js';

/** The decision and delivery logs as the organisation API shows them, and replays. */
const common = {
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(300).optional(),
};

export const decisionQuerySchema = z.strictObject({
  ...common,
  ruleId: idSchema.optional(),
  visitorId: idSchema.optional(),
  outcome: z.enum(['fired', 'suppressed']).optional(),
  reason: z.enum(SUPPRESSION_REASONS).optional(),
});

export const deliveryQuerySchema = z.strictObject({
  ...common,
  status: z.enum(['pending', 'held', 'delivered', 'failed', 'suppressed']).optional(),
  channel: z.enum(['webhook', 'sms']).optional(),
  ruleId: idSchema.optional(),
  endpointId: idSchema.optional(),
  visitorId: idSchema.optional(),
});

export type DecisionView = Omit<DecisionRow, 'orgId'>;
export type DeliverySummary = Omit<DeliveryRow, 'orgId' | 'payload' | 'attemptLog'>;
export type DeliveryView = Omit<DeliveryRow, 'orgId'>;

const decisionView = ({ orgId: _orgId, ...view }: DecisionRow): DecisionView => view;
const deliverySummary = ({ orgId: _orgId, payload: _payload, attemptLog: _log, ...view }: DeliveryRow): DeliverySummary => view;
const deliveryView = ({ orgId: _orgId, ...view }: DeliveryRow): DeliveryView => view;
const asDate = (iso: string | undefined): Date | undefined => (iso === undefined ? undefined : new Date(iso));

export interface LogServiceDeps {
  db: Db;
  clock: Clock;
  schedule: (job: DeliverJob, jobId: string, delayMs: number) => Promise<void>;
  /** Keep at least this many attempt log entries (as the sender does). */
  logCap: number;
}

export class LogService {
  constructor(private readonly deps: LogServiceDeps) {}

  async decisions(orgId: string, query: unknown): Promise<{ items: DecisionView[]; nextCursor?: string }> {
    const q = validate(decisionQuerySchema, query);
    const rows = await listDecisions(this.deps.db, orgId, { ...q, from: asDate(q.from), to: asDate(q.to) });
    const result = page(rows, q.limit, (r) => r.decidedAt);
    return { ...result, items: result.items.map(decisionView) };
  }

  async deliveries(orgId: string, query: unknown): Promise<{ items: DeliverySummary[]; nextCursor?: string }> {
    const q = validate(deliveryQuerySchema, query);
    const rows = await listDeliveries(this.deps.db, orgId, { ...q, from: asDate(q.from), to: asDate(q.to) });
    const result = page(rows, q.limit, (r) => r.createdAt);
    return { ...result, items: result.items.map(deliverySummary) };
  }

  async delivery(orgId: string, id: string): Promise<DeliveryView> {
    const row = isId(id) ? await getDelivery(this.deps.db, orgId, id) : undefined;
    if (!row) throw notFound('Delivery');
    return deliveryView(row);
  }

  /** Failed (or suppressed by a disabled endpoint) → pending and queued now; consent is checked again when it runs. */
  async replay(orgId: string, id: string): Promise<DeliveryView> {
    const existing = await this.delivery(orgId, id);
    const row = await markReplayed(this.deps.db, orgId, id, this.deps.clock.now(), this.deps.logCap);
    if (!row) throw new AppError('DELIVERY_NOT_REPLAYABLE', undefined, { status: existing.status, reason: existing.reason });
    // A replay is an operator's explicit request: a job id of its own, never deduplicated against earlier runs.
    await this.deps.schedule({ orgId, deliveryId: id }, `${id}-r${randomBytes(6).toString('hex')}`, 0);
    return deliveryView(row);
  }
}
