import type { Db } from '../../db/pool.js';
import type { JobContext } from '../../queue/workers.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { ConsentGate, EndpointDirectory, SmsSender, WebhookResult, WebhookSender } from '../ports.js';
import type { DeliverJob } from '../triggers.jobs.js';
import { FINAL_STATUSES, getDelivery, recordAttempt, settle, type AttemptEntry, type DeliveryRow, type DeliveryStatus } from './delivery.repository.js';
import { bodyForSending, storedSmsSchema, storedWebhookSchema } from './payload.js';
import { smsRetryDelay, webhookRetryDelay } from './retry.js';

/**
 * Sends one delivery: consent and the endpoint are checked again now (they may
 * have changed since the decision), the attempt is logged, and a retry is a
 * new delayed job of the same delivery (the webhook-id stays the delivery id).
 */
export interface DeliveryServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  endpoints: EndpointDirectory;
  webhookSender: WebhookSender;
  smsSender: SmsSender | undefined;
  consent: ConsentGate;
  statusCallbackUrl: () => string | undefined;
  retryDelaysMs: number[];
  /** Queues another attempt of the delivery. */
  schedule: (job: DeliverJob, jobId: string, delayMs: number) => Promise<void>;
  random?: () => number;
}

interface Outcome {
  status: DeliveryStatus;
  reason: string | null;
  entry: AttemptEntry;
  providerId?: string;
  retryInMs?: number;
}

/** Attempts since the delivery was created or last replayed (the retry schedule starts again on replay). */
export function attemptsThisRun(log: AttemptEntry[]): number {
  const replayed = log.findLastIndex((e) => e.outcome === 'replayed');
  return log.length - replayed - 1;
}

export class DeliveryService {
  private readonly random: () => number;
  readonly logCap: number;

  constructor(private readonly deps: DeliveryServiceDeps) {
    this.random = deps.random ?? Math.random;
    this.logCap = Math.max(20, deps.retryDelaysMs.length + 2);
  }

  async handle(job: DeliverJob, context: JobContext): Promise<void> {
    const row = await getDelivery(this.deps.db, job.orgId, job.deliveryId);
    if (!row) {
      context.logger.warn({ deliveryId: job.deliveryId }, 'delivery not found (erased?): nothing to send');
      return;
    }
    if (FINAL_STATUSES.has(row.status)) return;
    const outcome = row.channel === 'webhook' ? await this.webhook(row) : await this.sms(row);
    if (!outcome) return;
    await this.finish(row, outcome, context);
  }

  private async finish(row: DeliveryRow, outcome: Outcome, context: JobContext): Promise<void> {
    const { db, clock } = this.deps;
    const entry = { ...outcome.entry, attempt: row.attempts + 1 };
    const recorded = await recordAttempt(db, { orgId: row.orgId, id: row.id, status: outcome.status, reason: outcome.reason, providerId: outcome.providerId, entry, at: clock.now(), logCap: this.logCap });
    if (!recorded) return;
    if (outcome.retryInMs !== undefined) {
      // Job id per attempt: a re-run of this job schedules the same next attempt, not a second one.
      await this.deps.schedule({ orgId: row.orgId, deliveryId: row.id }, `${row.id}-${row.attempts + 1}`, outcome.retryInMs);
    }
    const level = outcome.status === 'delivered' ? 'debug' : 'info';
    context.logger[level]({ deliveryId: row.id, channel: row.channel, attempt: entry.attempt, outcome: entry.outcome, status: outcome.status, retryInMs: outcome.retryInMs }, 'delivery attempted');
  }

  private async suppress(row: DeliveryRow, status: DeliveryStatus, reason: string): Promise<undefined> {
    await settle(this.deps.db, row.orgId, row.id, status, reason, this.deps.clock.now());
    return undefined;
  }

  private async webhook(row: DeliveryRow): Promise<Outcome | undefined> {
    const stored = storedWebhookSchema.safeParse(row.payload);
    if (!stored.success) return this.suppress(row, 'suppressed', 'visitor_erased');
    const endpoint = row.endpointId === null ? undefined : await this.deps.endpoints.get(row.orgId, row.endpointId);
    if (!endpoint?.enabled) return this.suppress(row, 'suppressed', 'endpoint_disabled');
    const { personal, withoutConsent } = stored.data;
    // Only personal data needs consent now; a pseudonymous body goes as decided (erasure scrubs its payload).
    const current = personal && row.visitorId !== null ? await this.deps.consent.current(row.orgId, row.visitorId) : undefined;
    if (personal && !current) return this.suppress(row, 'suppressed', 'visitor_erased');
    if (personal && !current?.consent.crm_sharing && withoutConsent === 'skip') return this.suppress(row, 'suppressed', 'no_consent');
    const at = this.deps.clock.now();
    const result = await this.deps.webhookSender.send({
      url: endpoint.url,
      secrets: endpoint.secrets,
      messageId: row.id,
      body: JSON.stringify(bodyForSending(stored.data, current)),
      timestamp: at,
    });
    // Endpoint health is bookkeeping: its failure must not make this attempt look unsent (and be sent again).
    await this.deps.endpoints.recordResult(row.orgId, endpoint.id, result, this.deps.clock.now()).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, endpointId: endpoint.id }, 'could not record the endpoint health');
    });
    return this.webhookOutcome(row, result, at);
  }

  private webhookOutcome(row: DeliveryRow, result: WebhookResult, at: Date): Outcome {
    const entry: AttemptEntry = { at: at.toISOString(), outcome: result.outcome, statusCode: result.statusCode, error: result.error, durationMs: result.durationMs };
    switch (result.outcome) {
      case 'delivered':
        return { status: 'delivered', reason: null, entry };
      case 'gone':
        return { status: 'failed', reason: 'gone', entry };
      case 'failed':
        return { status: 'failed', reason: result.statusCode === undefined ? 'rejected' : `http_${result.statusCode}`, entry };
      case 'retry': {
        const retryInMs = webhookRetryDelay(attemptsThisRun(row.attemptLog) + 1, this.deps.retryDelaysMs, result.retryAfterMs, this.random());
        return retryInMs === undefined ? { status: 'failed', reason: 'retries_exhausted', entry } : { status: 'pending', reason: null, entry, retryInMs };
      }
    }
  }

  private async sms(row: DeliveryRow): Promise<Outcome | undefined> {
    const stored = storedSmsSchema.safeParse(row.payload);
    const current = row.visitorId === null ? undefined : await this.deps.consent.current(row.orgId, row.visitorId);
    if (!stored.success || !current) return this.suppress(row, 'suppressed', 'visitor_erased');
    if (!current.consent.sms_marketing) return this.suppress(row, 'suppressed', 'no_consent');
    if (current.smsSuppressed) return this.suppress(row, 'suppressed', 'opted_out');
    const sender = this.deps.smsSender;
    if (!sender) return this.suppress(row, 'failed', 'sms_not_configured');
    const at = this.deps.clock.now();
    const started = performance.now();
    const statusCallbackUrl = this.deps.statusCallbackUrl();
    const result = await sender.send({ to: current.phone, body: stored.data.text, ...(statusCallbackUrl === undefined ? {} : { statusCallbackUrl }) });
    // Provider messages can quote the number: only the error code goes into the log.
    const entry: AttemptEntry = { at: at.toISOString(), outcome: result.outcome, errorCode: result.errorCode, durationMs: Math.round(performance.now() - started) };
    switch (result.outcome) {
      case 'sent':
        return { status: 'delivered', reason: null, entry, providerId: result.providerId };
      case 'unsubscribed':
        await this.deps.consent.suppressNumber(null, current.phone, 'carrier_unsubscribed', at);
        return { status: 'suppressed', reason: 'opted_out', entry };
      case 'failed':
        return { status: 'failed', reason: result.errorCode === undefined ? 'rejected' : `twilio_${result.errorCode}`, entry };
      case 'retry': {
        const retryInMs = smsRetryDelay(attemptsThisRun(row.attemptLog) + 1, this.random());
        return retryInMs === undefined ? { status: 'failed', reason: 'retries_exhausted', entry } : { status: 'pending', reason: null, entry, retryInMs };
      }
    }
  }
}
