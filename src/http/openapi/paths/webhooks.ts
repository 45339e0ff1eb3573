import { TRIGGER_EVENT_TYPES } from '../../../triggers/trigger-event.js';
import { ENDPOINT_EVENT_TYPES } from '../../../triggers/webhooks/endpoint.service.js';
import { exampleEndpoint, exampleTriggerFired } from '../examples.js';
import { bool, int, listOf, nullable, obj, op, pathParam, ref, str, time, uuid, type JsonSchema, type Paths } from '../schema.js';

const tag = 'Webhook endpoints';
const endpointId = pathParam('id', 'A webhook endpoint of the caller\'s organisation');
const eventTypes = {
  type: 'array',
  items: { type: 'string', enum: [...ENDPOINT_EVENT_TYPES] },
  description: 'The event types this endpoint receives from webhook actions that name no endpoints. Empty, or `trigger.fired`: every firing',
};
const url = str(
  'https, without user name or password. Plain http only to hosts inside TRIGGERS_WEBHOOK_ALLOWED_NETWORKS; private, loopback, link-local, CGNAT and reserved ' +
    'addresses are refused (400 WEBHOOK_URL_FORBIDDEN)',
  { format: 'uri', maxLength: 2000 },
);
const description = str(undefined, { maxLength: 500 });

export const webhookSchemas: Record<string, JsonSchema> = {
  WebhookEndpoint: obj({
    id: uuid(),
    url: str(undefined, { format: 'uri' }),
    description: str(),
    eventTypes,
    enabled: bool(),
    disabledReason: nullable({
      type: 'string',
      enum: ['gone', 'failing', 'manual'],
      description: '`gone`: it answered 410. `failing`: no success for TRIGGERS_WEBHOOK_DISABLE_AFTER_HOURS. `manual`: disabled through the API',
    }),
    disabledAt: nullable(time()),
    failingSince: nullable(time('Start of the current run of failed attempts; null while healthy')),
    createdAt: time(),
    secretCount: int('Signing secrets in force (2 during a rotation overlap)'),
  }),
  // Hand-written: the endpoint service keeps its zod schemas private.
  WebhookEndpointInput: { ...obj({ url, description, eventTypes }, ['description', 'eventTypes']), additionalProperties: false },
  WebhookEndpointPatch: {
    ...obj({ url, description, eventTypes, enabled: bool('true re-enables it and clears its disabled and failing state') }, ['url', 'description', 'eventTypes', 'enabled']),
    additionalProperties: false,
  },
  WebhookEndpointCreated: obj({ endpoint: ref('WebhookEndpoint'), secret: str('`whsec_` + base64 of 32 random bytes. Shown only here: store it now') }),
  RotateSecretInput: obj({ overlapHours: { type: 'integer', minimum: 0, maximum: 168, default: 24, description: 'How long the previous secret keeps signing too' } }, ['overlapHours']),
  RotateSecretResult: obj({ secret: str('The new secret, shown only here'), previousExpiresAt: time('Until then every webhook carries a signature with each secret') }),
  TriggerFired: obj({
    type: { const: 'trigger.fired' },
    timestamp: time(),
    data: obj(
      {
        eventId: str('The trigger event\'s id'),
        eventType: { type: 'string', enum: [...TRIGGER_EVENT_TYPES] },
        eventName: str('custom events: their name'),
        rule: obj({ id: uuid(), name: str(), version: int() }),
        venue: obj({ id: uuid(), name: str(), timezone: str() }),
        zoneId: nullable(uuid()),
        visitor: nullable(obj(
          {
            id: uuid('Passby\'s visitor id: stable, pseudonymous'),
            phone: str('E.164; only with the visitor\'s CRM-sharing consent'),
            attributes: { type: 'object', description: 'Only with CRM-sharing consent' },
            loyaltyMember: bool(),
          },
          ['phone', 'attributes', 'loyaltyMember'],
          'null when the event named no known visitor',
        )),
        consent: obj({ sms_marketing: bool(), crm_sharing: bool() }),
        occurredAt: time(),
        visitStartedAt: time(),
        dwellMinutes: int(),
        daysSinceLastVisit: int(),
        custom: { type: 'object', description: 'The rule\'s payloadTemplate, rendered' },
        omitted: { type: 'array', items: { type: 'string' }, description: 'Parts left out to keep the body under 20 KB (`custom`, then `visitor.attributes`)' },
      },
      ['eventName', 'visitStartedAt', 'dwellMinutes', 'daysSinceLastVisit', 'custom', 'omitted'],
    ),
  }),
};

const header = (name: string, description: string): JsonSchema => ({ name, in: 'header', required: true, description, schema: { type: 'string' } });

/** The webhook Passby sends (OpenAPI 3.1 `webhooks`): Standard Webhooks 1.0. */
export const outgoingWebhooks: Record<string, JsonSchema> = {
  'trigger.fired': {
    post: {
      operationId: 'triggerFired',
      tags: [tag],
      summary: 'A rule fired (sent to your endpoint)',
      description:
        'Signed per Standard Webhooks: HMAC-SHA256 with the base64-decoded secret (after `whsec_`) over `{webhook-id}.{webhook-timestamp}.{raw body}`. ' +
        'Answer 2xx quickly. Network errors, timeouts, 408, 429 and 5xx are retried (about 28 h; a longer Retry-After wins); 410 disables the endpoint; ' +
        'any other answer (redirects included: never followed) fails the delivery at once. Deduplicate on webhook-id: it is the same on every retry.',
      parameters: [
        header('webhook-id', 'The delivery id: the same on every retry (idempotency key)'),
        header('webhook-timestamp', 'Unix seconds of this attempt; refuse ones more than 5 minutes away'),
        header('webhook-signature', 'Space-separated `v1,<base64>`, one per active secret'),
      ],
      requestBody: { required: true, content: { 'application/json': { schema: ref('TriggerFired'), example: exampleTriggerFired } } },
      responses: {
        '200': { description: 'Any 2xx: delivered' },
        '410': { description: 'Gone: Passby disables the endpoint at once' },
        '429': { description: 'Retried later (as are 408 and 5xx), not before Retry-After if given' },
      },
      security: [],
    },
  },
};

export const webhookPaths: Paths = {
  '/webhook-endpoints': {
    get: op({ id: 'listWebhookEndpoints', tag, summary: 'List webhook endpoints and their health', ok: { status: 200, description: 'The endpoints', schema: listOf(ref('WebhookEndpoint')) } }),
    post: op({
      id: 'createWebhookEndpoint',
      tag,
      summary: 'Add an endpoint; answers its signing secret once',
      body: { schema: ref('WebhookEndpointInput'), example: exampleEndpoint },
      ok: { status: 201, description: 'The endpoint and its secret', schema: ref('WebhookEndpointCreated') },
    }),
  },
  '/webhook-endpoints/{id}': {
    get: op({ id: 'getWebhookEndpoint', tag, summary: 'Get an endpoint', params: [endpointId], ok: { status: 200, description: 'The endpoint', schema: ref('WebhookEndpoint') }, errors: [404] }),
    patch: op({
      id: 'updateWebhookEndpoint',
      tag,
      summary: 'Change an endpoint; `enabled: true` re-enables a disabled one',
      params: [endpointId],
      body: { schema: ref('WebhookEndpointPatch'), example: { enabled: true } },
      ok: { status: 200, description: 'The endpoint', schema: ref('WebhookEndpoint') },
      errors: [404],
    }),
    delete: op({ id: 'deleteWebhookEndpoint', tag, summary: 'Delete an endpoint', params: [endpointId], ok: { status: 204, description: 'Deleted' }, errors: [404] }),
  },
  '/webhook-endpoints/{id}/rotate-secret': {
    post: op({
      id: 'rotateWebhookSecret',
      tag,
      summary: 'Issue a new signing secret; the old one keeps signing for the overlap',
      params: [endpointId],
      body: { schema: ref('RotateSecretInput'), example: { overlapHours: 24 }, optional: true },
      ok: { status: 200, description: 'The new secret', schema: ref('RotateSecretResult') },
      errors: [404],
    }),
  },
};
