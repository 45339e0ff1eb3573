import type { TriggerEvent } from '../trigger-event.js';
import { formatMinutes, localParts } from './local-time.js';

/**
 * What message and payload templates can use. Personal data (phone, CRM
 * attributes) is only in the context when the caller may share it: always for
 * an SMS to the visitor themselves, only with CRM-sharing consent for webhooks.
 */
export interface TemplateContext {
  event: {
    id: string;
    type: string;
    name: string | null;
    occurredAt: string;
    zoneId: string | null;
    dwellMinutes: number | null;
    daysSinceLastVisit: number | null;
    properties: Record<string, unknown>;
  };
  rule: { id: string; name: string; version: number };
  venue: { id: string; name: string; timezone: string };
  visitor: { id: string; loyaltyMember: boolean; visitCount: number; phone?: string; attributes?: Record<string, unknown> } | null;
  /** The event's time at the venue: date "2026-03-29", time "14:05", weekday "sun". */
  local: { date: string; time: string; weekday: string };
}

export interface TemplateContextInput {
  event: TriggerEvent;
  rule: { id: string; version: number; definition: { name: string } };
  venue: { id: string; name: string; timezone: string };
  visitor: { id: string; phone?: string; loyaltyMember: boolean; attributes: Record<string, unknown>; visitCount: number } | null;
  personalData: boolean;
}

export function templateContext(input: TemplateContextInput): TemplateContext {
  const { event, rule, venue, visitor, personalData } = input;
  const local = localParts(new Date(event.occurredAt), venue.timezone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return {
    event: {
      id: event.id,
      type: event.type,
      name: event.name ?? null,
      occurredAt: event.occurredAt,
      zoneId: event.zoneId,
      dwellMinutes: event.dwellMinutes ?? null,
      daysSinceLastVisit: event.daysSinceLastVisit ?? null,
      properties: { ...(event.properties ?? {}) },
    },
    rule: { id: rule.id, name: rule.definition.name, version: rule.version },
    venue: { id: venue.id, name: venue.name, timezone: venue.timezone },
    visitor: visitor
      ? {
          id: visitor.id,
          loyaltyMember: visitor.loyaltyMember,
          visitCount: visitor.visitCount,
          ...(personalData ? { attributes: { ...visitor.attributes }, ...(visitor.phone ? { phone: visitor.phone } : {}) } : {}),
        }
      : null,
    local: { date: `${local.year}-${pad(local.month)}-${pad(local.day)}`, time: formatMinutes(local.minuteOfDay), weekday: local.weekday },
  };
}
