import type { ConsentState } from '../portal/visitor.repository.js';
import type { Rule, TriggerSettings } from './rules/rule.schema.js';
import type { TriggerEvent } from './trigger-event.js';

/**
 * The contracts between the trigger engine's parts: pure evaluation
 * (rules/evaluate.ts), the pipeline (engine/), webhook delivery (webhooks/)
 * and SMS with consent (sms/). Each part depends on these, not on another
 * part's files.
 */

// ---- Evaluation (pure: plain data in, plain data out, no clock or I/O) ----

export interface VisitorFacts {
  visitorId: string;
  loyaltyMember: boolean;
  attributes: Record<string, unknown>;
  /** Visits to the event's venue, this one included (0 when never counted). */
  visitCount: number;
  /** Start of the previous visit to the event's venue, if any. */
  previousVisitAt: Date | null;
  consent: ConsentState;
  /** The phone is on the suppression list (STOP, carrier unsubscribe, opt-out link). */
  smsSuppressed: boolean;
}

export interface FiringHistory {
  /** Last time this rule fired for this visitor. */
  lastFiredAt: Date | null;
  /** Rules that fired for this visitor in the visitor-local day of `now`, counting towards the cap. */
  firedToday: number;
}

export interface EvaluationInput {
  rule: Rule;
  event: TriggerEvent;
  /** Processing time: cooldown, cap and quiet hours are about when we would message. */
  now: Date;
  /** The venue's IANA time zone (schedule, quiet hours and "today" are local to it). */
  timeZone: string;
  /** null: the event names no visitor we know. */
  visitor: VisitorFacts | null;
  history: FiringHistory;
  settings: TriggerSettings;
}

export interface ConditionTrace {
  /** e.g. "trigger", "scope.venue", "audience.visitCount", "schedule", "cooldown", "dailyCap", "consent.sms". */
  condition: string;
  expected: unknown;
  actual: unknown;
  passed: boolean;
}

export const SUPPRESSION_REASONS = [
  'audience',
  'outside_schedule',
  'cooldown',
  'daily_cap',
  'control_group',
  'no_consent',
  'opted_out',
  'quiet_hours',
  'endpoint_disabled',
  'visitor_erased',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export interface PlannedAction {
  /** Index into rule.definition.actions. */
  index: number;
  channel: 'webhook' | 'sms';
  status: 'send' | 'hold' | 'suppressed';
  reason?: SuppressionReason;
  /** hold: not before this instant (end of quiet hours). */
  notBefore?: string;
  /** webhook: whether the payload may carry personal data (CRM-sharing consent). */
  personalData?: boolean;
}

export interface Decision {
  /** fired: at least one action is sent or held. */
  outcome: 'fired' | 'suppressed';
  reason?: SuppressionReason;
  trace: ConditionTrace[];
  actions: PlannedAction[];
}

// ---- Delivery adapters ----

export interface WebhookRequest {
  url: string;
  /** Active `whsec_` secrets: each signs, so a receiver holding either verifies during rotation. */
  secrets: string[];
  /** `webhook-id`: the delivery id, the same on every retry. */
  messageId: string;
  body: string;
  /** This attempt's `webhook-timestamp`. */
  timestamp: Date;
  /** Keep this many bytes of the answer in the result (test deliveries show them); deliveries keep none. */
  keepResponseBytes?: number;
}

export interface WebhookResult {
  /** delivered: 2xx. retry: network error, timeout, 408/429/5xx. gone: 410. failed: any other answer (permanent). */
  outcome: 'delivered' | 'retry' | 'gone' | 'failed';
  statusCode?: number;
  /** From Retry-After (seconds or HTTP date), when the receiver sent one. */
  retryAfterMs?: number;
  error?: string;
  durationMs: number;
  /** The start of the answer's body, when the request asked to keep some. */
  response?: { text: string; truncated: boolean };
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResult>;
}

export interface DeliveryEndpoint {
  id: string;
  url: string;
  enabled: boolean;
  eventTypes: string[];
  /** Plain secrets currently valid for signing (newest first). */
  secrets: string[];
}

export interface EndpointDirectory {
  /** Enabled endpoints for an action: these ids (empty: all subscribed to the event type). */
  forAction(orgId: string, endpointIds: string[], eventType: string): Promise<DeliveryEndpoint[]>;
  get(orgId: string, endpointId: string): Promise<DeliveryEndpoint | undefined>;
  /** Tracks health: 410 disables at once, failures running longer than the configured period disable too. */
  recordResult(orgId: string, endpointId: string, result: WebhookResult, at: Date): Promise<void>;
}

export interface SmsMessage {
  to: string;
  body: string;
  /** Twilio posts delivery status here. */
  statusCallbackUrl?: string;
}

export interface SmsResult {
  /** sent: accepted by the provider. retry: 429/5xx/network. unsubscribed: 21610 (suppress, never retry). failed: other. */
  outcome: 'sent' | 'retry' | 'unsubscribed' | 'failed';
  providerId?: string;
  errorCode?: number;
  error?: string;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<SmsResult>;
}

/** Consent and suppression at the moment of sending (sms/ implements it over the consent ledger). */
export interface ConsentGate {
  /** undefined: the visitor no longer exists (erased). */
  current(orgId: string, visitorId: string): Promise<{ phone: string; consent: ConsentState; smsSuppressed: boolean } | undefined>;
  /** Twilio 21610: the number unsubscribed at the carrier. */
  suppressNumber(orgId: string | null, phone: string, reason: 'stop_reply' | 'carrier_unsubscribed' | 'admin' | 'opt_out_link', at: Date): Promise<void>;
  /** The withdrawal link appended to every SMS. */
  optOutUrl(orgId: string, visitorId: string): string;
}
