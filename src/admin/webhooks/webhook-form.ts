import type { FieldProblem } from '../../shared/errors.js';
import { ENDPOINT_EVENT_TYPES } from '../../triggers/webhooks/index.js';

/** The endpoint form as posted (urlencoded: strings, and the checked event types repeated). */
export interface EndpointFormValues {
  url: string;
  description: string;
  eventTypes: string[];
}
export type EndpointFieldErrors = Partial<Record<'url' | 'description' | 'eventTypes' | 'form', string>>;

const EVENT_LABELS: Record<(typeof ENDPOINT_EVENT_TYPES)[number], string> = {
  'trigger.fired': 'Every rule firing (trigger.fired)',
  'presence.entered': 'Entered the venue',
  'presence.passed_by': 'Passed by',
  'presence.dwell': 'Stayed a number of minutes',
  'presence.left': 'Left the venue',
  'presence.returned': 'Came back after some days',
  'portal.login': 'Logged in to the Wi-Fi',
  'visit.first': 'First visit',
  custom: 'Custom events',
};

export const emptyEndpointForm = (): EndpointFormValues => ({ url: '', description: '', eventTypes: [] });

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function readEndpointForm(body: unknown): EndpointFormValues {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const types: unknown[] = Array.isArray(b.eventTypes) ? b.eventTypes : b.eventTypes === undefined ? [] : [b.eventTypes];
  return { url: text(b.url), description: text(b.description), eventTypes: types.filter((t): t is string => typeof t === 'string') };
}

/** One checkbox per event type the service accepts, in its order. */
export const eventTypeChoices = (checked: readonly string[]) =>
  ENDPOINT_EVENT_TYPES.map((value, i) => ({ value, label: EVENT_LABELS[value], id: `eventType-${i}`, checked: checked.includes(value) }));

/** The service's field problems keyed by form field ("eventTypes.2" belongs to the checkboxes). */
export function endpointFieldErrors(fields: FieldProblem[] | undefined, fallback: string): EndpointFieldErrors {
  const errors: EndpointFieldErrors = {};
  for (const { path, message } of fields ?? []) {
    const field = path.split('.')[0];
    const key = field === 'url' || field === 'description' || field === 'eventTypes' ? field : 'form';
    errors[key] ??= message;
  }
  if (Object.keys(errors).length === 0) errors.form = fallback;
  return errors;
}

/** The event types in words for the list ("every event" when none are chosen). */
export const eventTypesText = (types: readonly string[]): string =>
  types.length === 0 ? 'Every event' : types.map((t) => (t in EVENT_LABELS ? EVENT_LABELS[t as keyof typeof EVENT_LABELS] : t)).join(', ');
