/**
 * Example bodies shown in the OpenAPI document (and in docs/triggers.md). test/http/openapi.test.ts
 * validates them against the real zod schemas, so they cannot drift from what the API accepts.
 */
const VENUE_ID = '0b5f6c1e-3f0a-4c2e-9a57-1d2e3f4a5b6c';
const VISITOR_ID = '5d0c7a9e-8b1f-4e3a-a6c2-7f9e0d1b2c3a';
const RULE_ID = '9c1e2d3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
const EVENT_ID = 'pos-order-8812';

export const exampleVenue = {
  name: 'Acme Soho',
  timezone: 'Europe/London',
  address: '1 Dean Street',
  openingHours: { mon: [['08:00', '18:00']], sat: [['09:00', '17:00']] },
};

export const exampleRule = {
  name: 'Welcome back after a month',
  description: 'Known visitors back after 30 days or more, weekday mornings: CRM gets the visit, the visitor an offer.',
  trigger: { type: 'presence.returned', minDays: 30 },
  scope: { venueIds: [VENUE_ID], zoneIds: [] },
  audience: { knownVisitor: true, visitCount: { min: 2 }, attributes: [{ key: 'tier', op: 'in', value: ['gold', 'silver'] }] },
  schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '11:30' }],
  cooldownMinutes: 10080,
  quietHours: { mode: 'hold' },
  controlGroupPercent: 10,
  actions: [
    { type: 'webhook', endpointIds: [], payloadTemplate: { campaign: 'welcome-back', venueName: '{{venue.name}}' }, withoutConsent: 'pseudonymous' },
    { type: 'sms', template: 'Welcome back to {{venue.name}}! Show this message for a free coffee today.' },
  ],
};

export const exampleRulePatch = { enabled: false };

export const exampleRuleTest = {
  event: { type: 'presence.returned', venueId: VENUE_ID, visitorId: VISITOR_ID, daysSinceLastVisit: 35 },
  now: '2026-05-04T09:30:00Z',
  visitor: { visitCount: 4, attributes: { tier: 'gold' }, consent: { sms_marketing: true, crm_sharing: false } },
  history: { firedToday: 0 },
};

export const exampleTriggerSettings = { dailyCapPerVisitor: 2, quietHours: { from: '21:00', to: '08:00' }, optOutLine: 'Reply STOP to opt out' };

export const exampleEndpoint = {
  url: 'https://crm.example.com/passby/webhooks',
  description: 'Loyalty CRM',
  eventTypes: ['presence.returned', 'portal.login'],
};

/** One event for POST /events: a TriggerEvent without orgId and source (the API key and the API fill them in). */
export const exampleEvent = {
  id: EVENT_ID,
  type: 'custom',
  name: 'purchase',
  venueId: VENUE_ID,
  zoneId: null,
  visitorId: VISITOR_ID,
  occurredAt: '2026-05-04T09:30:00Z',
  properties: { basketValue: 12.5, channel: 'till' },
};

export const exampleAttributesPatch = { loyaltyMember: true, attributes: { tier: 'gold', favouriteDrink: 'flat white', legacyId: null } };

export const exampleConsent = { purpose: 'sms_marketing', granted: false, textVersion: 'crm-preferences-2' };

/** The body of a `trigger.fired` webhook (with CRM-sharing consent; without it, no phone and no attributes). */
export const exampleTriggerFired = {
  type: 'trigger.fired',
  timestamp: '2026-05-04T09:30:02.114Z',
  data: {
    eventId: 'presence:1f3c…:returned',
    eventType: 'presence.returned',
    rule: { id: RULE_ID, name: exampleRule.name, version: 3 },
    venue: { id: VENUE_ID, name: 'Acme Soho', timezone: 'Europe/London' },
    zoneId: null,
    visitor: { id: VISITOR_ID, phone: '+447400123456', attributes: { tier: 'gold' }, loyaltyMember: true },
    consent: { sms_marketing: true, crm_sharing: true },
    occurredAt: '2026-05-04T09:29:58Z',
    visitStartedAt: '2026-05-04T09:24:10Z',
    daysSinceLastVisit: 35,
    custom: { campaign: 'welcome-back', venueName: 'Acme Soho' },
  },
};
