import { newId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import type { ConsentGate, Decision, DeliveryEndpoint, EndpointDirectory, PlannedAction, VisitorFacts } from '../ports.js';
import { templateContext, templatesFor } from '../rules/index.js';
import type { Rule, RuleAction, TriggerSettings } from '../rules/rule.schema.js';
import type { TriggerEvent } from '../trigger-event.js';
import type { NewDelivery } from './delivery.repository.js';
import type { VenueInfo } from './event-refs.repository.js';
import { buildWebhookBody, smsText, type StoredSms, type StoredWebhook } from './payload.js';

/**
 * Turns a fired decision's planned actions into delivery rows: one per webhook
 * endpoint, one per SMS, each with what it will send (rendered now, at
 * decision time). Suppressed actions stay in the decision only.
 */
export interface PlanInput {
  event: TriggerEvent;
  rule: Rule;
  venue: VenueInfo;
  /** With the phone when loaded (templates with personal data may use it). */
  visitor: (VisitorFacts & { phone?: string }) | null;
  settings: TriggerSettings;
  decision: Decision;
  decisionId: string;
  now: Date;
  /** Each webhook action's endpoints, resolved before the transaction (see resolveEndpoints). */
  endpoints: ResolvedEndpoints;
}

/** Keyed by `${ruleId}:${actionIndex}`. */
export type ResolvedEndpoints = Map<string, DeliveryEndpoint[]>;

export interface PlannerDeps {
  endpoints: Pick<EndpointDirectory, 'forAction'>;
  consent: Pick<ConsentGate, 'optOutUrl'>;
  logger: Logger;
}

type Row = NewDelivery;

function contextFor(input: PlanInput, personalData: boolean) {
  const { visitor } = input;
  return templateContext({
    event: input.event,
    rule: input.rule,
    venue: input.venue,
    visitor: visitor
      ? { id: visitor.visitorId, phone: visitor.phone, loyaltyMember: visitor.loyaltyMember, attributes: visitor.attributes, visitCount: visitor.visitCount }
      : null,
    personalData,
  });
}

export class DeliveryPlanner {
  constructor(private readonly deps: PlannerDeps) {}

  /** The endpoints of every webhook action of these rules (read outside the decision transaction: no second connection inside it). */
  async resolveEndpoints(event: TriggerEvent, rules: Rule[]): Promise<ResolvedEndpoints> {
    const resolved: ResolvedEndpoints = new Map();
    // Rules naming the same endpoints share one lookup.
    const byTargets = new Map<string, DeliveryEndpoint[]>();
    for (const rule of rules) {
      for (const [index, action] of rule.definition.actions.entries()) {
        if (action.type !== 'webhook') continue;
        const targets = [...action.endpointIds].sort().join(',');
        let found = byTargets.get(targets);
        if (!found) {
          found = await this.deps.endpoints.forAction(event.orgId, action.endpointIds, event.type);
          byTargets.set(targets, found);
        }
        resolved.set(`${rule.id}:${index}`, found);
      }
    }
    return resolved;
  }

  plan(input: PlanInput): Row[] {
    const rows: Row[] = [];
    const endpointsUsed = new Set<string>();
    for (const planned of input.decision.actions) {
      const action = input.rule.definition.actions[planned.index];
      if (planned.status === 'suppressed' || !action) continue;
      if (action.type === 'sms') rows.push(...this.sms(input, planned));
      else rows.push(...this.webhooks(input, planned, action, endpointsUsed));
    }
    return rows;
  }

  private base(input: PlanInput, planned: PlannedAction): Omit<Row, 'channel' | 'endpointId' | 'payload'> {
    const notBefore = planned.status === 'hold' && planned.notBefore !== undefined ? new Date(planned.notBefore) : null;
    return { id: newId(), orgId: input.event.orgId, decisionId: input.decisionId, ruleId: input.rule.id, visitorId: input.event.visitorId, status: notBefore ? 'held' : 'pending', notBefore };
  }

  private sms(input: PlanInput, planned: PlannedAction): Row[] {
    const visitorId = input.visitor?.visitorId;
    if (visitorId === undefined) return [];
    // The message goes to the visitor themselves: their own attributes may be used.
    const rendered = templatesFor(input.rule).sms(planned.index, contextFor(input, true));
    const payload: StoredSms = { text: smsText(rendered, input.settings.optOutLine, this.deps.consent.optOutUrl(input.event.orgId, visitorId)) };
    return [{ ...this.base(input, planned), channel: 'sms', endpointId: null, payload }];
  }

  private webhooks(input: PlanInput, planned: PlannedAction, action: Extract<RuleAction, { type: 'webhook' }>, used: Set<string>): Row[] {
    const { event } = input;
    const personal = planned.personalData ?? false;
    const templates = templatesFor(input.rule);
    const custom = templates.webhookData(planned.index, contextFor(input, personal));
    const body = buildWebhookBody({ event, rule: { id: input.rule.id, name: input.rule.definition.name, version: input.rule.version }, venue: input.venue, visitor: input.visitor, personal, custom, now: input.now });
    // Consent may be withdrawn before sending: keep the pseudonymous rendering of the custom data too.
    const pseudonymousCustom = personal ? templates.webhookData(planned.index, contextFor(input, false)) : undefined;
    const payload: StoredWebhook = { body, personal, withoutConsent: action.withoutConsent, ...(pseudonymousCustom === undefined ? {} : { pseudonymousCustom }) };
    const endpoints = input.endpoints.get(`${input.rule.id}:${planned.index}`) ?? [];
    if (endpoints.length === 0) this.deps.logger.info({ ruleId: input.rule.id, action: planned.index }, 'webhook action has no enabled endpoint');
    // One delivery per (decision, endpoint): two actions naming the same endpoint send once.
    const fresh = endpoints.filter((e) => !used.has(e.id));
    for (const e of fresh) used.add(e.id);
    return fresh.map((e) => ({ ...this.base(input, planned), channel: 'webhook', endpointId: e.id, payload }));
  }
}
