import { Router } from 'express';
import type { PresenceEvent } from '../../analytics/presence/index.js';
import type { JobHandler } from '../../queue/workers.js';
import type { TriggerModuleDeps } from '../module-deps.js';
import type { RulesModule } from '../rules/index.js';
import type { SmsModule } from '../sms/index.js';
import type { DeliverJob } from '../triggers.jobs.js';
import type { TriggerEvent } from '../trigger-event.js';
import type { WebhooksModule } from '../webhooks/index.js';

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
  close(): Promise<void>;
}

// Placeholder until the engine part lands.
export function createEngine(_deps: EngineDeps): EngineModule {
  const idle = () => Promise.resolve();
  return { handleEvent: idle, handlePresenceEvent: idle, handleDelivery: idle, publish: idle, apiRoutes: Router(), close: idle };
}
