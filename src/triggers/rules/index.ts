import { Router } from 'express';
import type { TriggerModuleDeps } from '../module-deps.js';
import type { Rule, TriggerSettings } from './rule.schema.js';

/** Rules: CRUD (versioned), organisation trigger settings, and the per-venue compiled-rule cache. */
export interface RulesModule {
  /** Enabled rules whose scope includes this venue (cached; invalidated when any rule of the org changes). */
  rulesFor(orgId: string, venueId: string): Promise<Rule[]>;
  settingsFor(orgId: string): Promise<TriggerSettings>;
  /** /rules, /rules/:id, /rules/:id/versions, /rules/:id/test, /trigger-settings (behind the API key). */
  apiRoutes: Router;
}

// Placeholder until the rules part lands: no rules.
export function createRules(_deps: TriggerModuleDeps): RulesModule {
  return { rulesFor: () => Promise.resolve([]), settingsFor: () => Promise.reject(new Error('rules not built yet')), apiRoutes: Router() };
}
