import { Router } from 'express';
import { createEngine, type EngineModule } from './engine/index.js';
import { RuleResultsService } from './engine/rule-results.service.js';
import type { TriggerModuleDeps } from './module-deps.js';
import { createRules, type RulesModule } from './rules/index.js';
import { createSms, type SmsModule } from './sms/index.js';
import { createWebhooks, type WebhooksModule } from './webhooks/index.js';

export type { TriggerModuleDeps } from './module-deps.js';
export { TRIGGER_EVENT_TYPES, triggerEventSchema, type TriggerEvent } from './trigger-event.js';
export { MIN_GROUP_SIZE, RETURN_GAP_MINUTES, RuleResultsService, type RuleResults } from './engine/rule-results.service.js';

/** The trigger engine, built once per process from shared deps (web and workers alike). */
export interface Triggers {
  rules: RulesModule;
  webhooks: WebhooksModule;
  sms: SmsModule;
  engine: EngineModule;
  /** Per-rule results over a period: outcomes, suppressions, deliveries and control-group lift (admin pages). */
  results: RuleResultsService;
  /** Everything behind the organisation API key, mounted under /api/v1. */
  apiRoutes: Router;
  /** Twilio's callbacks and the visitor-facing opt-out pages. */
  publicRoutes: Router;
  close(): Promise<void>;
}

export function createTriggers(deps: TriggerModuleDeps): Triggers {
  const rules = createRules(deps);
  const webhooks = createWebhooks(deps);
  const sms = createSms(deps);
  const engine = createEngine({ ...deps, rules, webhooks, sms });
  const apiRoutes = Router();
  apiRoutes.use(rules.apiRoutes, webhooks.apiRoutes, sms.apiRoutes, engine.apiRoutes);
  return {
    rules,
    webhooks,
    sms,
    engine,
    results: new RuleResultsService({ db: deps.db, clock: deps.clock, rules: rules.service }),
    apiRoutes,
    publicRoutes: sms.publicRoutes,
    close: async () => {
      await engine.close();
      webhooks.close();
    },
  };
}
