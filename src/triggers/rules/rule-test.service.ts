import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { AppError, notFound } from '../../shared/errors.js';
import { validate } from '../../shared/validate.js';
import { VenueRepository, type Venue } from '../../tenancy/venue.repository.js';
import type { PhoneHasher } from '../phone-hash.js';
import type { Decision, FiringHistory, VisitorFacts } from '../ports.js';
import { triggerEventSchema, type TriggerEvent } from '../trigger-event.js';
import { evaluateRule } from './evaluate.js';
import { localDayBounds } from './local-time.js';
import { draftRuleTestSchema, ruleTestSchema, type RuleTestRequest, type RuleTestVisitor } from './rule-test.schema.js';
import type { RuleService } from './rule.service.js';
import type { Rule } from './rule.schema.js';
import { templateContext } from './template-context.js';
import { compileRuleTemplates, templatesFor } from './templates.js';
import type { TriggerSettingsService } from './trigger-settings.service.js';
import { firingHistory, loadVisitorFacts, type LoadedVisitor } from './visitor-facts.repository.js';

export interface RuleTestResult {
  decision: Decision;
  /** The first SMS action's text (before the opt-out line) and the first webhook action's `data.custom`. */
  rendered: { sms?: string; webhook?: Record<string, unknown> };
}

export interface RuleTesterDeps {
  db: Db;
  clock: Clock;
  rules: RuleService;
  settings: TriggerSettingsService;
  hashPhone: PhoneHasher;
}

/** Stands in for a visitor described only in the request body. */
export const HYPOTHETICAL_VISITOR_ID = '00000000-0000-4000-8000-000000000000';
const DRAFT_RULE_ID = '00000000-0000-4000-8000-000000000001';

/**
 * "What would this rule do with this event?": the real evaluation over the
 * real (or described) visitor, read-only. No decision row, no delivery, no
 * queue, no Redis: safe to call against production data.
 */
export class RuleTester {
  private readonly venues: VenueRepository;

  constructor(private readonly deps: RuleTesterDeps) {
    this.venues = new VenueRepository(deps.db);
  }

  async testSaved(orgId: string, ruleId: string, body: unknown): Promise<RuleTestResult> {
    const request = validate(ruleTestSchema, body);
    return this.run(orgId, await this.deps.rules.getRule(orgId, ruleId), request, true);
  }

  async testDraft(orgId: string, body: unknown): Promise<RuleTestResult> {
    const { rule: input, ...request } = validate(draftRuleTestSchema, body);
    const definition = await this.deps.rules.prepare(orgId, input, 'rule');
    const at = this.deps.clock.now();
    return this.run(orgId, { id: DRAFT_RULE_ID, orgId, version: 0, definition, createdAt: at, updatedAt: at }, request, false);
  }

  private async run(orgId: string, rule: Rule, request: RuleTestRequest, saved: boolean): Promise<RuleTestResult> {
    const now = request.now ? new Date(request.now) : this.deps.clock.now();
    const venue = await this.place(orgId, request.event.venueId, request.event.zoneId ?? null);
    const realId = request.event.visitorId ?? null;
    const real = realId ? await loadVisitorFacts(this.deps.db, { orgId, visitorId: realId, venueId: venue.id }, this.deps.hashPhone) : null;
    if (realId && !real) throw notFound('Visitor');
    const visitor = describedVisitor(real, request.visitor);
    const event = this.event(orgId, request, visitor?.visitorId ?? null, now);
    const stored = saved && real ? await firingHistory(this.deps.db, { orgId, ruleId: rule.id, visitorId: real.visitorId, ...dayOf(now, venue) }) : undefined;
    const history = describedHistory(stored, request.history);
    const settings = await this.deps.settings.get(orgId);
    const decision = evaluateRule({ rule, event, now, timeZone: venue.timezone, visitor, history, settings });
    return { decision, rendered: render(rule, saved, event, venue, visitor, decision) };
  }

  private async place(orgId: string, venueId: string, zoneId: string | null): Promise<Venue> {
    const venue = await this.venues.get(orgId, venueId);
    if (!venue) throw notFound('Venue');
    if (zoneId !== null) {
      const zone = await this.venues.getZone(orgId, zoneId);
      if (!zone) throw notFound('Zone');
      if (zone.venueId !== venue.id) throw new AppError('VALIDATION_FAILED', `Zone ${zoneId} is not in venue ${venueId}`, { fields: [{ path: 'event.zoneId', message: 'not in this venue' }] });
    }
    return venue;
  }

  private event(orgId: string, request: RuleTestRequest, visitorId: string | null, now: Date): TriggerEvent {
    const { event } = request;
    return validate(
      triggerEventSchema,
      { ...event, id: 'rule-test', orgId, source: 'api', zoneId: event.zoneId ?? null, visitorId, occurredAt: event.occurredAt ?? now.toISOString() },
      'event',
    );
  }
}

const toDate = (value: string | null): Date | null => (value === null ? null : new Date(value));

const dayOf = (now: Date, venue: Venue): { dayStart: Date; dayEnd: Date } => {
  const { start, end } = localDayBounds(now, venue.timezone);
  return { dayStart: start, dayEnd: end };
};

/** The real visitor's facts overridden by the request's, or a visitor described only there. */
function describedVisitor(real: LoadedVisitor | null, described: RuleTestVisitor | undefined): (VisitorFacts & { phone?: string }) | null {
  if (!real && !described) return null;
  const base: VisitorFacts & { phone?: string } = real ?? {
    visitorId: HYPOTHETICAL_VISITOR_ID,
    loyaltyMember: false,
    attributes: {},
    visitCount: 1,
    previousVisitAt: null,
    consent: { terms: true, sms_marketing: false, crm_sharing: false },
    smsSuppressed: false,
  };
  if (!described) return base;
  return {
    ...base,
    loyaltyMember: described.loyaltyMember ?? base.loyaltyMember,
    attributes: described.attributes ?? base.attributes,
    visitCount: described.visitCount ?? base.visitCount,
    previousVisitAt: described.previousVisitAt === undefined ? base.previousVisitAt : toDate(described.previousVisitAt),
    consent: { ...base.consent, ...described.consent },
    smsSuppressed: described.smsSuppressed ?? base.smsSuppressed,
  };
}

function describedHistory(stored: FiringHistory | undefined, described: RuleTestRequest['history']): FiringHistory {
  const lastFiredAt = described?.lastFiredAt === undefined ? (stored?.lastFiredAt ?? null) : toDate(described.lastFiredAt);
  return { lastFiredAt, firedToday: described?.firedToday ?? stored?.firedToday ?? 0 };
}

function render(rule: Rule, saved: boolean, event: TriggerEvent, venue: Venue, visitor: (VisitorFacts & { phone?: string }) | null, decision: Decision): RuleTestResult['rendered'] {
  const templates = saved ? templatesFor(rule) : compileRuleTemplates(rule.definition);
  const person = visitor && { id: visitor.visitorId, phone: visitor.phone, loyaltyMember: visitor.loyaltyMember, attributes: visitor.attributes, visitCount: visitor.visitCount };
  const context = (personalData: boolean) => templateContext({ event, rule, venue, visitor: person, personalData });
  const actions = rule.definition.actions;
  const rendered: RuleTestResult['rendered'] = {};
  const smsIndex = actions.findIndex((a) => a.type === 'sms');
  // An SMS goes to the visitor themselves: their own data may be in it.
  if (smsIndex >= 0) rendered.sms = templates.sms(smsIndex, context(true));
  const webhookIndex = actions.findIndex((a) => a.type === 'webhook' && a.payloadTemplate !== undefined);
  if (webhookIndex >= 0) {
    const personalData = decision.actions.find((a) => a.index === webhookIndex)?.personalData ?? visitor?.consent.crm_sharing ?? false;
    rendered.webhook = templates.webhookData(webhookIndex, context(personalData));
  }
  return rendered;
}
