import type { Response } from 'express';
import type { EndpointView } from '../../triggers/webhooks/index.js';
import type { TestDeliveryResult } from '../../triggers/webhooks/endpoint-test.service.js';
import type { EndpointLastResult } from '../../triggers/webhooks/webhook-activity.repository.js';
import { eventTypesText } from './webhook-form.js';

/** "2026-03-01 10:00:05 UTC": unambiguous for staff in any time zone. */
export function stamp(at: Date | string): { iso: string; text: string } {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return { iso, text: `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` };
}

/** The signed-in staff member's organisation: never taken from the request. */
export function staffOrg(res: Response): string {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff.orgId;
}

const DISABLED_REASONS: Record<string, string> = {
  manual: 'disabled by hand',
  gone: 'the receiver answered 410 Gone',
  failing: 'no successful delivery for too long',
};

/** How an endpoint stands, in words. */
export function endpointState(e: EndpointView) {
  return {
    enabled: e.enabled,
    stateText: e.enabled ? 'Enabled' : `Disabled: ${e.disabledReason === null ? 'no reason recorded' : (DISABLED_REASONS[e.disabledReason] ?? e.disabledReason)}`,
    disabledAt: e.disabledAt === null ? undefined : stamp(e.disabledAt),
    failingSince: e.failingSince === null ? undefined : stamp(e.failingSince),
  };
}

/** The last attempt in a line: "delivered, HTTP 200 in 35 ms" or the error. */
export function lastResultView(last: EndpointLastResult | undefined) {
  if (!last) return undefined;
  const a = last.attempt ?? {};
  const parts = [a.outcome ?? last.status, a.statusCode === undefined ? undefined : `HTTP ${a.statusCode}`, a.durationMs === undefined ? undefined : `${a.durationMs} ms`];
  return { text: parts.filter((p) => p !== undefined).join(', '), error: a.error, ok: a.outcome === 'delivered', at: stamp(last.at) };
}

export function endpointRow(e: EndpointView, last: EndpointLastResult | undefined) {
  return { ...e, ...endpointState(e), events: eventTypesText(e.eventTypes), last: lastResultView(last) };
}

const OUTCOME_TEXT: Record<TestDeliveryResult['outcome'], string> = {
  delivered: 'Delivered: the receiver answered 2xx.',
  retry: 'Not delivered: a real delivery would be retried.',
  gone: 'Not delivered: the receiver answered 410 Gone (a real delivery would disable the endpoint).',
  failed: 'Not delivered: a real delivery would fail without retrying.',
};

export function testResultView(result: TestDeliveryResult) {
  return {
    ok: result.outcome === 'delivered',
    summary: OUTCOME_TEXT[result.outcome],
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    error: result.error,
    messageId: result.messageId,
    sentAt: stamp(result.sentAt),
    body: result.body,
    response: result.response,
  };
}
