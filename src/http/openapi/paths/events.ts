import { SUPPRESSION_REASONS } from '../../../triggers/ports.js';
import { apiEventSchema, MAX_EVENTS_PER_REQUEST } from '../../../triggers/engine/event-intake.service.js';
import { decisionQuerySchema, deliveryQuerySchema } from '../../../triggers/engine/log.service.js';
import { TRIGGER_EVENT_TYPES } from '../../../triggers/trigger-event.js';
import { exampleEvent } from '../examples.js';
import { arrayOf, fromZod, int, listOf, nullable, obj, op, pathParam, queryParamsFrom, ref, str, time, uuid, type JsonSchema, type Paths } from '../schema.js';

const tag = 'Events and deliveries';
const deliveryId = pathParam('id', 'A delivery of the caller\'s organisation');
const QUERY_DESCRIPTIONS: Record<string, string> = {
  from: 'Not before this instant',
  to: 'Before this instant',
  limit: 'Page size',
  cursor: 'The previous page\'s nextCursor',
  ruleId: 'Only this rule',
  visitorId: 'Only this visitor',
  endpointId: 'Only this endpoint',
  outcome: 'Only fired or only suppressed decisions',
  reason: 'Only this suppression reason',
  status: 'Only this status',
  channel: 'Only webhook or only SMS deliveries',
};

export const eventSchemas: Record<string, JsonSchema> = {
  EventInput: {
    ...fromZod(apiEventSchema),
    description:
      'A trigger event as other systems send it: no orgId or source (the API key and the API set them). `id` is the idempotency key: the same id is one ' +
      'event however often it is sent (one is made up when absent). occurredAt defaults to now, zoneId and visitorId to null. custom events need `name`, ' +
      'presence.dwell needs dwellMinutes, presence.returned needs daysSinceLastVisit. Venue, zone and visitor must be the organisation\'s (400 otherwise).',
  },
  EventBatch: obj({ events: { type: 'array', items: ref('EventInput'), minItems: 1, maxItems: MAX_EVENTS_PER_REQUEST } }),
  EventsAccepted: obj({ accepted: int(), events: arrayOf(obj({ id: str() })) }),
  DecisionRecord: obj(
    {
      id: uuid(),
      ruleId: uuid(),
      ruleVersion: int(),
      eventId: str(),
      eventType: { type: 'string', enum: [...TRIGGER_EVENT_TYPES] },
      venueId: nullable(uuid()),
      zoneId: nullable(uuid()),
      visitorId: nullable(uuid('Pseudonymous once the visitor is erased')),
      outcome: { type: 'string', enum: ['fired', 'suppressed'] },
      reason: nullable({ type: 'string', enum: [...SUPPRESSION_REASONS] }),
      trace: arrayOf(ref('ConditionTrace')),
      actions: arrayOf(ref('PlannedAction')),
      occurredAt: time(),
      decidedAt: time(),
    },
    [],
    'One rule evaluated against one event: why it fired or what suppressed it',
  ),
  Delivery: obj({
    id: uuid('Also the webhook-id header: the idempotency key of the message'),
    decisionId: uuid(),
    ruleId: uuid(),
    visitorId: nullable(uuid()),
    channel: { type: 'string', enum: ['webhook', 'sms'] },
    endpointId: nullable(uuid()),
    status: { type: 'string', enum: ['pending', 'held', 'delivered', 'failed', 'suppressed'] },
    reason: nullable(str('Why it was suppressed or failed')),
    attempts: int(),
    providerId: nullable(str('SMS: the provider\'s message id')),
    notBefore: nullable(time('held: not sent before this instant (quiet hours)')),
    createdAt: time(),
    updatedAt: time(),
    deliveredAt: nullable(time()),
  }),
  DeliveryDetail: {
    allOf: [
      ref('Delivery'),
      obj({
        payload: { description: 'Webhook: the body as built at decision time. SMS: the text. `{erased: true}` after the visitor\'s erasure.' },
        attemptLog: arrayOf(
          obj(
            {
              at: time(),
              outcome: str('delivered, retry, gone, failed, sent, unsubscribed, or replayed (an operator\'s replay)'),
              attempt: int(),
              statusCode: int(),
              errorCode: int('SMS: the provider\'s error code'),
              error: str(),
              durationMs: int(),
            },
            ['attempt', 'statusCode', 'errorCode', 'error', 'durationMs'],
          ),
          'The latest attempts',
        ),
      }),
    ],
  },
};

export const eventPaths: Paths = {
  '/events': {
    post: op({
      id: 'publishEvents',
      tag,
      summary: `Send events for the rules to evaluate (one, or {events: [...]} up to ${MAX_EVENTS_PER_REQUEST})`,
      description: 'Evaluated asynchronously: the decisions and deliveries logs show the outcome.',
      body: { schema: { oneOf: [ref('EventInput'), ref('EventBatch')] }, example: exampleEvent },
      ok: { status: 202, description: 'Accepted for evaluation', schema: ref('EventsAccepted') },
    }),
  },
  '/decisions': {
    get: op({
      id: 'listDecisions',
      tag,
      summary: 'The decision log, newest first',
      params: queryParamsFrom(decisionQuerySchema, QUERY_DESCRIPTIONS),
      ok: { status: 200, description: 'The decisions', schema: listOf(ref('DecisionRecord')) },
      errors: [400],
    }),
  },
  '/deliveries': {
    get: op({
      id: 'listDeliveries',
      tag,
      summary: 'Webhook and SMS deliveries, newest first',
      params: queryParamsFrom(deliveryQuerySchema, QUERY_DESCRIPTIONS),
      ok: { status: 200, description: 'The deliveries (without payload and attempt log)', schema: listOf(ref('Delivery')) },
      errors: [400],
    }),
  },
  '/deliveries/{id}': {
    get: op({ id: 'getDelivery', tag, summary: 'A delivery with its payload and attempt log', params: [deliveryId], ok: { status: 200, description: 'The delivery', schema: ref('DeliveryDetail') }, errors: [404] }),
  },
  '/deliveries/{id}/replay': {
    post: op({
      id: 'replayDelivery',
      tag,
      summary: 'Send a failed (or endpoint-suppressed) delivery again',
      description: 'Back to pending with a new job; consent is checked again at send. Any other status: 409 DELIVERY_NOT_REPLAYABLE.',
      params: [deliveryId],
      ok: { status: 202, description: 'Queued again', schema: ref('DeliveryDetail') },
      errors: [404, 409],
    }),
  },
};
