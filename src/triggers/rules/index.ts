import type { Router } from 'express';
import type { TriggerModuleDeps } from '../module-deps.js';
import { createPhoneHasher } from '../phone-hash.js';
import { forVenue, RuleCache, type OrgRules } from './rule-cache.js';
import { RuleTester } from './rule-test.service.js';
import { ruleRoutes } from './rule.routes.js';
import type { Rule, TriggerSettings } from './rule.schema.js';
import { RuleService } from './rule.service.js';
import { redisRulesVersion } from './rules-version.js';
import { TriggerSettingsService } from './trigger-settings.service.js';

export { evaluateRule, inScope, matchesTrigger, scopeTrace, triggerTrace } from './evaluate.js';
export { attributeMatches, audienceTrace, daysSinceLastVisit } from './audience.js';
export { controlBucket, inControlGroup } from './control-group.js';
export { localDayBounds, localDaysBetween, localParts, nextLocalTime, type LocalParts } from './local-time.js';
export { effectiveQuietHours, quietHoursEnd, type QuietHours } from './quiet-hours.js';
export { inDailyWindow, scheduleAllows, windowContains } from './schedule.js';
export { templateContext, type TemplateContext, type TemplateContextInput } from './template-context.js';
export { compileRuleTemplates, renderSms, renderWebhookData, templatesFor, templateProblem, type CompiledRuleTemplates } from './templates.js';
export { firingHistory, isSuppressed, loadVisitorFacts, type LoadedVisitor } from './visitor-facts.repository.js';
export { redisRulesVersion, rulesVersionKey, type RulesVersionNotifier, type RulesVersionStore } from './rules-version.js';
export { RuleService, type RuleView } from './rule.service.js';
export { RuleTester, type RuleTestResult } from './rule-test.service.js';
export { TriggerSettingsService } from './trigger-settings.service.js';
export type { OrgRules } from './rule-cache.js';

/** Rules: CRUD (versioned), organisation trigger settings, and the per-venue compiled-rule cache. */
export interface RulesModule {
  /** Enabled rules whose scope includes this venue (cached; invalidated when any rule of the org changes). */
  rulesFor(orgId: string, venueId: string): Promise<Rule[]>;
  settingsFor(orgId: string): Promise<TriggerSettings>;
  /** Rules for the venue and the settings together, with a single look at the version key (one per evaluation). */
  snapshot(orgId: string, venueId: string): Promise<OrgRules>;
  /** /rules, /rules/:id, /rules/:id/versions, /rules/:id/test, /trigger-settings (behind the API key). */
  apiRoutes: Router;
  service: RuleService;
  settings: TriggerSettingsService;
  tester: RuleTester;
}

export function createRules(deps: TriggerModuleDeps): RulesModule {
  const versions = redisRulesVersion(deps.redis, deps.config.queue.prefix);
  const service = new RuleService({ db: deps.db, clock: deps.clock, versions });
  const settings = new TriggerSettingsService({ db: deps.db, clock: deps.clock, versions });
  const tester = new RuleTester({ db: deps.db, clock: deps.clock, rules: service, settings, hashPhone: createPhoneHasher(deps.secretKey) });
  const cache = new RuleCache(versions, async (orgId) => {
    const [rules, orgSettings] = await Promise.all([service.listEnabled(orgId), settings.get(orgId)]);
    return { rules, settings: orgSettings };
  });
  const snapshot = async (orgId: string, venueId: string): Promise<OrgRules> => {
    const org = await cache.forOrg(orgId);
    return { rules: forVenue(org.rules, venueId), settings: org.settings };
  };
  return {
    rulesFor: async (orgId, venueId) => (await snapshot(orgId, venueId)).rules,
    settingsFor: async (orgId) => (await cache.forOrg(orgId)).settings,
    snapshot,
    apiRoutes: ruleRoutes({ rules: service, tester, settings }),
    service,
    settings,
    tester,
  };
}
