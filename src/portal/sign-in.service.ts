import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { withTransaction, type Db, type Queryable } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { GatewayService } from './gateway.service.js';
import type { AuthoriseOutcome } from './gateways/access-point.js';
import type { AccessPointRegistry } from './gateways/registry.js';
import type { FlowState, FlowStore } from './flow.store.js';
import { LoginRepository, type LoginMethod } from './login.repository.js';
import type { LoyaltyService } from './loyalty/loyalty.service.js';
import type { PortalSettingsService } from './settings.service.js';
import { VisitorRepository, type ConsentState } from './visitor.repository.js';

export interface ConsentChoice {
  terms: boolean;
  smsMarketing: boolean;
  crmSharing: boolean;
}

/** What the browser does next: follow a redirect, or see the flow's current page. */
export type Next = { kind: 'redirect'; url: string } | { kind: 'render'; flow: FlowState };

/** A visitor got online through the portal: the trigger engine hears of it (after the login is stored). */
export interface PortalLogin {
  id: string;
  orgId: string;
  venueId: string;
  visitorId: string;
  method: LoginMethod;
  at: Date;
}
export type LoginListener = (login: PortalLogin) => Promise<void>;

export interface SignInDeps {
  db: Db;
  redis: Redis;
  prefix: string;
  gateways: GatewayService;
  accessPoints: AccessPointRegistry;
  flows: FlowStore;
  settings: PortalSettingsService;
  loyalty: LoyaltyService;
  clock: Clock;
  logger: Logger;
  onLogin?: LoginListener;
}

/**
 * From a verified phone (or a recognised device) to a device online: records
 * consents, the device binding and the login log, offers the loyalty form,
 * then asks the gateway to let the device on.
 */
export class SignInService {
  constructor(private readonly deps: SignInDeps) {}

  async submitConsent(flow: FlowState, choice: ConsentChoice): Promise<Next> {
    if (flow.step !== 'consent' || flow.verifiedAt === undefined || flow.phone === undefined) throw new AppError('PORTAL_FLOW_EXPIRED');
    if (!choice.terms) {
      throw new AppError('VALIDATION_FAILED', 'The terms of use must be accepted', { fields: [{ path: 'terms', message: 'required' }] });
    }
    const { settings } = await this.deps.settings.org(flow.orgId);
    const now = this.deps.clock.now();
    const phone = flow.phone;
    const visitorId = await withTransaction(this.deps.db, async (tx) => {
      const visitors = new VisitorRepository(tx);
      const visitor = await visitors.upsert({ id: newId(), orgId: flow.orgId, phone }, new Date(flow.verifiedAt as string));
      const base = { textVersion: settings.consentVersion, venueId: flow.venueId, gatewayId: flow.gatewayId, method: 'portal_form' as const };
      await visitors.recordConsents(
        flow.orgId,
        visitor.id,
        [
          { id: newId(), purpose: 'terms', granted: true, ...base },
          { id: newId(), purpose: 'sms_marketing', granted: choice.smsMarketing, ...base },
          { id: newId(), purpose: 'crm_sharing', granted: choice.crmSharing, ...base },
        ],
        now,
      );
      await visitors.bind({ orgId: flow.orgId, deviceHash: flow.deviceHash, visitorId: visitor.id, randomised: flow.randomisedMac }, now);
      const consents = { terms: true, sms_marketing: choice.smsMarketing, crm_sharing: choice.crmSharing };
      await this.recordLogin(tx, flow, phone, 'sms_code', consents, settings.consentVersion, now);
      return visitor.id;
    });
    this.deps.logger.info({ flow: flow.id, venue: flow.venueId, visitor: visitorId }, 'portal phone verified and device bound');
    await this.announce(flow, visitorId, 'sms_code', now);

    // Sharing the number with the CRM is itself what crm_sharing consents to: no lookup without it.
    if (choice.crmSharing) {
      const offer = await this.deps.loyalty.offer(flow.orgId, flow.venueId, phone);
      if (offer) {
        flow.step = 'loyalty';
        flow.loyalty = offer;
        await this.deps.flows.save(flow);
        return { kind: 'render', flow };
      }
    }
    return this.authorise(flow);
  }

  async submitLoyalty(flow: FlowState, profile: { name?: string; birthday?: string; gender?: string } | undefined): Promise<Next> {
    if (flow.step !== 'loyalty' || flow.phone === undefined) throw new AppError('PORTAL_FLOW_EXPIRED');
    if (profile) await this.deps.loyalty.join(flow.orgId, flow.venueId, flow.phone, profile);
    return this.authorise(flow);
  }

  /** Returning device: no code, but the binding is re-checked now (it may have been removed since landing). */
  async connectReturning(flow: FlowState, recognise: (flow: FlowState) => Promise<string | undefined>): Promise<Next> {
    if (flow.step !== 'welcome-back') throw new AppError('PORTAL_FLOW_EXPIRED');
    const phone = await recognise(flow);
    if (phone === undefined) {
      flow.step = 'phone';
      delete flow.knownPhone;
      await this.deps.flows.save(flow);
      return { kind: 'render', flow };
    }
    const { settings } = await this.deps.settings.org(flow.orgId);
    const now = this.deps.clock.now();
    const visitorId = await withTransaction(this.deps.db, async (tx) => {
      const visitors = new VisitorRepository(tx);
      const visitor = await visitors.findByPhone(flow.orgId, phone);
      const consents = visitor ? await visitors.consentState(flow.orgId, visitor.id) : { terms: true, sms_marketing: false, crm_sharing: false };
      await visitors.touchBinding(flow.orgId, flow.deviceHash, now);
      await this.recordLogin(tx, flow, phone, 'returning_device', consents, settings.consentVersion, now);
      return visitor?.id;
    });
    if (visitorId !== undefined) await this.announce(flow, visitorId, 'returning_device', now);
    flow.phone = phone;
    return this.authorise(flow);
  }

  async notMe(flow: FlowState): Promise<void> {
    if (flow.step !== 'welcome-back') throw new AppError('PORTAL_FLOW_EXPIRED');
    await new VisitorRepository(this.deps.db).unbind(flow.orgId, flow.deviceHash);
    flow.step = 'phone';
    delete flow.knownPhone;
    await this.deps.flows.save(flow);
  }

  /** For a `pending` flow: moves it online once the gateway picked the authorisation up. */
  async refresh(flow: FlowState): Promise<FlowState> {
    if (flow.step !== 'pending' || flow.pendingReference === undefined) return flow;
    const controller = await this.controllerFor(flow);
    if (controller.isAuthorised && (await controller.isAuthorised(flow.pendingReference))) {
      flow.step = 'online';
      await this.deps.flows.save(flow);
    }
    return flow;
  }

  /** Whether the client at this IP was let on through this gateway, and for how long (RFC 8908). */
  async onlineSecondsRemaining(gatewayId: string, ip: string): Promise<number | undefined> {
    const ttl = await this.deps.redis.ttl(this.onlineKey(gatewayId, ip));
    return ttl > 0 ? ttl : undefined;
  }

  private async authorise(flow: FlowState): Promise<Next> {
    const venue = await this.deps.settings.venue(flow.orgId, flow.venueId);
    const controller = await this.controllerFor(flow);
    const { minutes, ...limits } = venue.session;
    const outcome: AuthoriseOutcome = await controller.authorise(flow.client, { sessionMinutes: minutes, ...limits });
    flow.continueUrl = flow.client.originUrl ?? venue.landingUrl;
    if (flow.requestIp) await this.deps.redis.set(this.onlineKey(flow.gatewayId, flow.requestIp), '1', 'EX', venue.session.minutes * 60);
    this.deps.logger.info({ flow: flow.id, gateway: flow.gatewayId, outcome: outcome.kind }, 'portal authorised device');
    if (outcome.kind === 'redirect') {
      flow.step = 'online';
      await this.deps.flows.save(flow);
      return { kind: 'redirect', url: outcome.url };
    }
    flow.step = outcome.kind === 'pending' ? 'pending' : 'online';
    if (outcome.kind === 'pending') flow.pendingReference = outcome.reference;
    await this.deps.flows.save(flow);
    return { kind: 'render', flow };
  }

  private async controllerFor(flow: FlowState) {
    const found = await this.deps.gateways.findForPortal(flow.gatewayId);
    if (!found) throw new AppError('PORTAL_FLOW_EXPIRED', 'This Wi-Fi gateway was removed');
    return this.deps.accessPoints.forGateway(found);
  }

  private onlineKey(gatewayId: string, ip: string): string {
    return `${this.deps.prefix}:portal:online:${gatewayId}:${createHash('sha256').update(ip).digest('hex').slice(0, 32)}`;
  }

  /** Best effort: a visitor's Wi-Fi never waits on, or fails because of, the trigger engine. */
  private async announce(flow: FlowState, visitorId: string, method: LoginMethod, at: Date): Promise<void> {
    if (!this.deps.onLogin) return;
    try {
      await this.deps.onLogin({ id: `${flow.id}:${method}`, orgId: flow.orgId, venueId: flow.venueId, visitorId, method, at });
    } catch (error) {
      this.deps.logger.warn({ flow: flow.id, err: { message: (error as Error).message } }, 'portal login not passed to the trigger engine');
    }
  }

  private async recordLogin(
    tx: Queryable,
    flow: FlowState,
    phone: string,
    method: LoginMethod,
    consents: ConsentState,
    textVersion: string,
    at: Date,
  ): Promise<void> {
    await new LoginRepository(tx).insert(flow.orgId, {
      id: newId(),
      phone,
      deviceHash: flow.deviceHash,
      venueId: flow.venueId,
      gatewayId: flow.gatewayId,
      method,
      consents: { ...consents, textVersion },
      loggedInAt: at,
    });
  }
}
