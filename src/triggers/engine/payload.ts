import { z } from 'zod';
import type { ConsentState } from '../../portal/visitor.repository.js';
import type { VisitorFacts } from '../ports.js';
import type { TriggerEvent } from '../trigger-event.js';

/**
 * What a delivery sends (pure). The webhook body is thin and pseudonymous by
 * default: a visitor id, never a MAC or a device hash; the phone and CRM
 * attributes only with CRM-sharing consent, checked again when sending.
 */
export const MAX_WEBHOOK_BODY_BYTES = 20 * 1024;
/** Room left when the body is built for what is added at send time (the phone, current consent). */
const SEND_TIME_HEADROOM = 256;

export interface WebhookVisitor {
  id: string;
  phone?: string;
  attributes?: Record<string, unknown>;
  loyaltyMember?: boolean;
}

export interface WebhookBody {
  type: 'trigger.fired';
  timestamp: string;
  data: {
    eventId: string;
    eventType: string;
    eventName?: string;
    rule: { id: string; name: string; version: number };
    venue: { id: string; name: string; timezone: string };
    zoneId: string | null;
    visitor: WebhookVisitor | null;
    consent: { sms_marketing: boolean; crm_sharing: boolean };
    occurredAt: string;
    visitStartedAt?: string;
    dwellMinutes?: number;
    daysSinceLastVisit?: number;
    custom?: unknown;
    /** Parts left out to keep the body under 20 KB. */
    omitted?: string[];
  };
}

/** A webhook delivery's row payload: the body as built at decision time, and what to do without consent at send time. */
export const storedWebhookSchema = z.object({
  body: z.custom<WebhookBody>((v) => typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'trigger.fired'),
  personal: z.boolean(),
  withoutConsent: z.enum(['pseudonymous', 'skip']),
  /** The custom data rendered without personal data, for when CRM-sharing consent is withdrawn before sending. */
  pseudonymousCustom: z.unknown().optional(),
});
export type StoredWebhook = z.output<typeof storedWebhookSchema>;

export const storedSmsSchema = z.object({ text: z.string().min(1) });
export type StoredSms = z.output<typeof storedSmsSchema>;

export interface WebhookBodyInput {
  event: TriggerEvent;
  rule: { id: string; name: string; version: number };
  venue: { id: string; name: string; timezone: string };
  visitor: VisitorFacts | null;
  /** CRM-sharing consent allows personal data (attributes now, the phone at send time). */
  personal: boolean;
  custom?: unknown;
  now: Date;
}

const consentOf = (consent: ConsentState | undefined) => ({ sms_marketing: consent?.sms_marketing ?? false, crm_sharing: consent?.crm_sharing ?? false });

export function buildWebhookBody(input: WebhookBodyInput): WebhookBody {
  const { event, visitor } = input;
  const body: WebhookBody = {
    type: 'trigger.fired',
    timestamp: input.now.toISOString(),
    data: {
      eventId: event.id,
      eventType: event.type,
      ...(event.name === undefined ? {} : { eventName: event.name }),
      rule: input.rule,
      venue: input.venue,
      zoneId: event.zoneId,
      visitor: visitor
        ? { id: visitor.visitorId, loyaltyMember: visitor.loyaltyMember, ...(input.personal ? { attributes: visitor.attributes } : {}) }
        : null,
      consent: consentOf(visitor?.consent),
      occurredAt: event.occurredAt,
      ...(event.visitStartedAt === undefined ? {} : { visitStartedAt: event.visitStartedAt }),
      ...(event.dwellMinutes === undefined ? {} : { dwellMinutes: event.dwellMinutes }),
      ...(event.daysSinceLastVisit === undefined ? {} : { daysSinceLastVisit: event.daysSinceLastVisit }),
      ...(input.custom === undefined ? {} : { custom: input.custom }),
    },
  };
  return fitBody(body);
}

const tooLarge = (body: WebhookBody): boolean => Buffer.byteLength(JSON.stringify(body), 'utf8') >= MAX_WEBHOOK_BODY_BYTES - SEND_TIME_HEADROOM;

/** Drops the rendered custom payload, then the attributes, while the body is too large for a webhook. */
export function fitBody(body: WebhookBody): WebhookBody {
  let fitted = body;
  if (tooLarge(fitted) && fitted.data.custom !== undefined) {
    const { custom: _custom, ...data } = fitted.data;
    fitted = { ...fitted, data: { ...data, omitted: [...(data.omitted ?? []), 'custom'] } };
  }
  const visitor = fitted.data.visitor;
  if (tooLarge(fitted) && visitor?.attributes !== undefined) {
    const { attributes: _attributes, ...rest } = visitor;
    fitted = { ...fitted, data: { ...fitted.data, visitor: rest, omitted: [...(fitted.data.omitted ?? []), 'visitor.attributes'] } };
  }
  return fitted;
}

/**
 * The body as sent now: with the phone (and attributes) only when it was planned
 * personal and CRM sharing is still granted; otherwise pseudonymous (the custom
 * data too). `now`: consent as checked at send time (personal bodies only; a
 * pseudonymous one keeps the consent of its decision).
 */
export function bodyForSending(stored: StoredWebhook, now: { phone: string; consent: ConsentState } | undefined): WebhookBody {
  const { body } = stored;
  const consent = now ? consentOf(now.consent) : body.data.consent;
  const visitor = body.data.visitor;
  if (!visitor) return { ...body, data: { ...body.data, consent } };
  const { phone: _phone, attributes, ...pseudonymous } = visitor;
  if (stored.personal && now?.consent.crm_sharing) {
    return { ...body, data: { ...body.data, consent, visitor: { ...pseudonymous, phone: now.phone, ...(attributes === undefined ? {} : { attributes }) } } };
  }
  const { custom: _custom, ...data } = body.data;
  const custom = stored.personal ? stored.pseudonymousCustom : body.data.custom;
  return { ...body, data: { ...data, consent, visitor: pseudonymous, ...(custom === undefined ? {} : { custom }) } };
}

/** The marketing text followed by the organisation's opt-out line and the visitor's withdrawal link. */
export const smsText = (rendered: string, optOutLine: string, optOutUrl: string): string => `${rendered.trim()}\n${optOutLine} ${optOutUrl}`.trim();
