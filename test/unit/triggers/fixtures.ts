import type { EvaluationInput, VisitorFacts } from '../../../src/triggers/ports.js';
import { DEFAULT_TRIGGER_SETTINGS, ruleDefinitionSchema, type Rule, type RuleDefinitionInput } from '../../../src/triggers/rules/rule.schema.js';
import type { TriggerEvent } from '../../../src/triggers/trigger-event.js';

export const ORG_ID = '5a4e2f7c-0d1b-4c3e-9f5a-1b2c3d4e5f60';
export const RULE_ID = '7f1c2d3e-4b5a-4e6f-8a9b-0c1d2e3f4a5b';
export const VENUE_ID = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const OTHER_VENUE_ID = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const ZONE_ID = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';
export const VISITOR_ID = '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f';

/** A rule with the schema's defaults: entered, SMS, 7-day cooldown, counts towards the cap. */
export function makeRule(overrides: Partial<RuleDefinitionInput> = {}, id = RULE_ID): Rule {
  const definition = ruleDefinitionSchema.parse({
    name: 'Welcome',
    trigger: { type: 'presence.entered' },
    actions: [{ type: 'sms', template: 'Hi from {{venue.name}}' }],
    ...overrides,
  });
  return { id, orgId: ORG_ID, version: 1, definition, createdAt: new Date(0), updatedAt: new Date(0) };
}

export function makeEvent(overrides: Partial<TriggerEvent> = {}): TriggerEvent {
  return {
    id: 'evt-1',
    type: 'presence.entered',
    orgId: ORG_ID,
    venueId: VENUE_ID,
    zoneId: null,
    visitorId: VISITOR_ID,
    occurredAt: '2026-06-10T11:00:00.000Z',
    source: 'presence',
    ...overrides,
  };
}

/** A known visitor who agreed to SMS marketing and CRM sharing. */
export function makeVisitor(overrides: Partial<VisitorFacts> = {}): VisitorFacts {
  return {
    visitorId: VISITOR_ID,
    loyaltyMember: false,
    attributes: {},
    visitCount: 1,
    previousVisitAt: null,
    consent: { terms: true, sms_marketing: true, crm_sharing: true },
    smsSuppressed: false,
    ...overrides,
  };
}

/** Midday in London in June: outside the default quiet hours. */
export function makeInput(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    rule: makeRule(),
    event: makeEvent(),
    now: new Date('2026-06-10T11:00:05.000Z'),
    timeZone: 'Europe/London',
    visitor: makeVisitor(),
    history: { lastFiredAt: null, firedToday: 0 },
    settings: DEFAULT_TRIGGER_SETTINGS,
    ...overrides,
  };
}
