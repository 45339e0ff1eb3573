import type { Queryable } from '../../db/pool.js';
import { SqlFilter } from './sql-filter.js';

/** The delivery log: one row per action and target; its id is the webhook-id. */
export type DeliveryChannel = 'webhook' | 'sms';
export type DeliveryStatus = 'pending' | 'held' | 'delivered' | 'failed' | 'suppressed';
export const FINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set(['delivered', 'failed', 'suppressed']);

export interface AttemptEntry {
  at: string;
  /** An attempt's result (delivered, retry, gone, failed, sent, unsubscribed), or "replayed" for an operator's replay. */
  outcome: string;
  attempt?: number;
  statusCode?: number;
  errorCode?: number;
  error?: string;
  durationMs?: number;
}

export interface DeliveryRow {
  id: string;
  orgId: string;
  decisionId: string;
  ruleId: string;
  visitorId: string | null;
  channel: DeliveryChannel;
  endpointId: string | null;
  status: DeliveryStatus;
  reason: string | null;
  payload: unknown;
  attempts: number;
  attemptLog: AttemptEntry[];
  providerId: string | null;
  notBefore: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deliveredAt: Date | null;
}

export type NewDelivery = Pick<DeliveryRow, 'id' | 'orgId' | 'decisionId' | 'ruleId' | 'visitorId' | 'channel' | 'endpointId' | 'status' | 'payload' | 'notBefore'>;

export interface DeliveryFilter {
  status?: DeliveryStatus;
  channel?: DeliveryChannel;
  ruleId?: string;
  endpointId?: string;
  visitorId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

const COLUMNS = `id, org_id AS "orgId", decision_id AS "decisionId", rule_id AS "ruleId", visitor_id AS "visitorId", channel,
  endpoint_id AS "endpointId", status, reason, payload, attempts, attempt_log AS "attemptLog", provider_id AS "providerId",
  not_before AS "notBefore", created_at AS "createdAt", updated_at AS "updatedAt", delivered_at AS "deliveredAt"`;

/** Appends one entry to the attempt log, keeping the newest `$cap`. */
const appendLog = (entry: string, cap: string): string =>
  `(SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb) FROM (SELECT e, n FROM jsonb_array_elements(attempt_log || jsonb_build_array(${entry}::jsonb))
     WITH ORDINALITY AS t(e, n) ORDER BY n DESC LIMIT ${cap}) kept)`;

export async function getDelivery(db: Queryable, orgId: string, id: string): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(`SELECT ${COLUMNS} FROM trigger_deliveries WHERE org_id = $1 AND id = $2`, [orgId, id]);
  return rows[0];
}

/** The decisions' deliveries that never had an attempt (their jobs may have been lost before being queued). */
export async function unsentDeliveries(db: Queryable, orgId: string, decisionIds: string[]): Promise<Pick<DeliveryRow, 'id' | 'notBefore'>[]> {
  if (decisionIds.length === 0) return [];
  const { rows } = await db.query<Pick<DeliveryRow, 'id' | 'notBefore'>>(
    `SELECT id, not_before AS "notBefore" FROM trigger_deliveries
      WHERE org_id = $1 AND decision_id = ANY($2::uuid[]) AND status IN ('pending', 'held') AND attempts = 0`,
    [orgId, decisionIds],
  );
  return rows;
}

export interface AttemptUpdate {
  orgId: string;
  id: string;
  status: DeliveryStatus;
  reason: string | null;
  providerId?: string;
  entry: AttemptEntry;
  at: Date;
  logCap: number;
}

/** Records an attempt and the resulting status; false when the delivery was already final. */
export async function recordAttempt(db: Queryable, u: AttemptUpdate): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE trigger_deliveries SET attempts = attempts + 1, status = $3, reason = $4, provider_id = coalesce($5, provider_id),
       updated_at = $6, delivered_at = CASE WHEN $3 = 'delivered' THEN $6 ELSE delivered_at END,
       attempt_log = ${appendLog('$7', '$8')}
     WHERE org_id = $1 AND id = $2 AND status IN ('pending', 'held')`,
    [u.orgId, u.id, u.status, u.reason, u.providerId ?? null, u.at, JSON.stringify(u.entry), u.logCap],
  );
  return (rowCount ?? 0) > 0;
}

/** Settles a delivery without an attempt (consent withdrawn, endpoint disabled, visitor erased). */
export async function settle(db: Queryable, orgId: string, id: string, status: DeliveryStatus, reason: string, at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE trigger_deliveries SET status = $3, reason = $4, updated_at = $5 WHERE org_id = $1 AND id = $2 AND status IN ('pending', 'held')`,
    [orgId, id, status, reason, at],
  );
  return (rowCount ?? 0) > 0;
}

/** Failed, or suppressed because its endpoint was disabled: back to pending with a marker in the log. */
export async function markReplayed(db: Queryable, orgId: string, id: string, at: Date, logCap: number): Promise<DeliveryRow | undefined> {
  const entry: AttemptEntry = { at: at.toISOString(), outcome: 'replayed' };
  const { rows } = await db.query<DeliveryRow>(
    `UPDATE trigger_deliveries SET status = 'pending', reason = NULL, not_before = NULL, updated_at = $3, attempt_log = ${appendLog('$4', '$5')}
      WHERE org_id = $1 AND id = $2 AND (status = 'failed' OR (status = 'suppressed' AND reason = 'endpoint_disabled'))
      RETURNING ${COLUMNS}`,
    [orgId, id, at, JSON.stringify(entry), logCap],
  );
  return rows[0];
}

export async function listDeliveries(db: Queryable, orgId: string, f: DeliveryFilter): Promise<DeliveryRow[]> {
  const filter = new SqlFilter(orgId)
    .add('status = ?', f.status)
    .add('channel = ?', f.channel)
    .add('rule_id = ?', f.ruleId)
    .add('endpoint_id = ?', f.endpointId)
    .add('visitor_id = ?', f.visitorId)
    .add('created_at >= ?', f.from)
    .add('created_at < ?', f.to)
    .after('created_at', f.cursor);
  const tail = filter.tail('created_at', f.limit);
  const { rows } = await db.query<DeliveryRow>(`SELECT ${COLUMNS} FROM trigger_deliveries ${tail}`, filter.params);
  return rows;
}
