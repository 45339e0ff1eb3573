import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { PresenceEvent } from '../../analytics/presence/index.js';
import { JobProducer } from '../../queue/producer.js';
import type { JobHandler } from '../../queue/workers.js';
import type { TriggerModuleDeps } from '../module-deps.js';
import { createPhoneHasher } from '../phone-hash.js';
import type { RulesModule } from '../rules/index.js';
import type { SmsModule } from '../sms/index.js';
import { triggerJobCatalog, type DeliverJob } from '../triggers.jobs.js';
import { triggerEventSchema, type TriggerEvent } from '../trigger-event.js';
import type { WebhooksModule } from '../webhooks/index.js';
import { deliveriesRoutes } from './deliveries.routes.js';
import { DeliveryPlanner } from './delivery-planner.js';
import { DeliveryService } from './delivery.service.js';
import { EvaluationService } from './evaluation.service.js';
import { VenueCache } from './event-refs.repository.js';
import { EventIntake } from './event-intake.service.js';
import { eventsRoutes } from './events.routes.js';
import { LogService } from './log.service.js';
import { RuleDecider } from './rule-decider.js';

export interface EngineDeps extends TriggerModuleDeps {
  rules: RulesModule;
  webhooks: WebhooksModule;
  sms: SmsModule;
}

/** The pipeline: events → evaluation (decisions) → deliveries (webhook, SMS) with retries. */
export interface EngineModule {
  /** Evaluates one event against the venue's rules; idempotent per (rule, event). */
  handleEvent: JobHandler<TriggerEvent>;
  handlePresenceEvent: JobHandler<PresenceEvent>;
  handleDelivery: JobHandler<DeliverJob>;
  /** Enqueues an event for evaluation (portal logins; the events API). */
  publish(event: TriggerEvent): Promise<void>;
  /** POST /events, GET /deliveries, POST /deliveries/:id/replay, GET /decisions (behind the API key). */
  apiRoutes: Router;
  /** Decisions and deliveries as the API and the admin pages list them, and replay. */
  log: LogService;
  close(): Promise<void>;
}

/** BullMQ job ids may not contain ":" and event ids are only unique per organisation: hash both. */
export const eventJobId = (orgId: string, eventId: string): string => `ev-${createHash('sha256').update(`${orgId}|${eventId}`).digest('hex').slice(0, 40)}`;

/** The presence event as the rules see it: no device hash, source "presence". */
export function fromPresenceEvent(e: PresenceEvent): TriggerEvent {
  return {
    id: e.id,
    type: e.type,
    orgId: e.orgId,
    venueId: e.venueId,
    zoneId: e.zoneId,
    visitorId: e.visitorId,
    occurredAt: e.occurredAt,
    visitStartedAt: e.visitStartedAt,
    source: 'presence',
    ...(e.type === 'presence.dwell' ? { dwellMinutes: e.dwellMinutes } : {}),
    ...(e.type === 'presence.returned' ? { daysSinceLastVisit: e.daysSinceLastVisit } : {}),
    ...(e.type === 'presence.left' || e.type === 'presence.passed_by' ? { durationSeconds: e.durationSeconds } : {}),
  };
}

export function createEngine(deps: EngineDeps): EngineModule {
  const { config, db, clock, logger, rules, webhooks, sms } = deps;
  // The client connection is shared: closing the producer closes its queues, not the connection.
  const producer = new JobProducer(triggerJobCatalog, deps.redis, config.queue.prefix);
  const publish = async (event: TriggerEvent): Promise<void> => {
    await producer.enqueue('trigger.event', event, { jobId: eventJobId(event.orgId, event.id) });
  };
  const schedule = async (job: DeliverJob, jobId: string, delayMs: number): Promise<void> => {
    await producer.enqueue('trigger.deliver', job, { jobId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
  };
  const planner = new DeliveryPlanner({ endpoints: webhooks.endpoints, consent: sms.consent, logger });
  const decider = new RuleDecider(planner);
  const evaluation = new EvaluationService({ db, clock, rules, planner, decider, venues: new VenueCache(), hashPhone: createPhoneHasher(deps.secretKey), schedule, publish });
  const delivery = new DeliveryService({
    db,
    clock,
    logger,
    endpoints: webhooks.endpoints,
    webhookSender: webhooks.sender,
    smsSender: sms.sender,
    consent: sms.consent,
    statusCallbackUrl: () => sms.statusCallbackUrl(),
    retryDelaysMs: config.triggers.webhook.retryDelaysMs,
    schedule,
  });
  const log = new LogService({ db, clock, schedule, logCap: delivery.logCap });
  const apiRoutes = Router();
  apiRoutes.use(eventsRoutes({ intake: new EventIntake({ db, clock, publish }), log }), deliveriesRoutes(log));
  return {
    handleEvent: (event, context) => evaluation.handle(event, context),
    handlePresenceEvent: async (event, context) => {
      const parsed = triggerEventSchema.safeParse(fromPresenceEvent(event));
      if (!parsed.success) {
        context.logger.warn({ eventId: event.id, issues: parsed.error.issues.length }, 'presence event not evaluable: dropped');
        return;
      }
      await evaluation.handle(parsed.data, context);
    },
    handleDelivery: (job, context) => delivery.handle(job, context),
    publish,
    apiRoutes,
    log,
    close: () => producer.close(),
  };
}
