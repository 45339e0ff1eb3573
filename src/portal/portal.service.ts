import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { isRandomisedMac, type DeviceHasher } from '../shared/device-hash.js';
import type { Logger } from '../shared/logger.js';
import type { GatewayService } from './gateway.service.js';
import type { AccessPointRegistry } from './gateways/registry.js';
import { FlowStore, type FlowState } from './flow.store.js';
import type { Language } from './i18n.js';
import { maskPhone, normalisePhone } from './phone.js';
import type { PortalOrgSettings } from './portal.settings.js';
import type { PortalSettingsService } from './settings.service.js';
import { resolveSmsPolicy, type SmsLimits } from './verification/limits.js';
import type { VerifierFactory } from './verification/factory.js';
import type { VisitorRepository } from './visitor.repository.js';

export interface PortalDeps {
  gateways: GatewayService;
  accessPoints: AccessPointRegistry;
  flows: FlowStore;
  settings: PortalSettingsService;
  visitors: VisitorRepository;
  verifiers: VerifierFactory;
  limits: SmsLimits;
  deviceHash: DeviceHasher;
  clock: Clock;
  logger: Logger;
}

const DAY_MS = 86_400_000;

/**
 * The visitor's way from landing to a verified phone: landing, returning-device
 * recognition, phone entry, SMS code. Consent and getting online are in
 * SignInService.
 */
export class PortalService {
  constructor(private readonly deps: PortalDeps) {}

  async land(
    gatewayId: string,
    kind: 'opennds' | 'omada',
    query: Record<string, unknown>,
    meta: { language: Language; ip: string | undefined },
  ): Promise<FlowState> {
    const found = await this.deps.gateways.findForPortal(gatewayId);
    if (!found || found.gateway.kind !== kind) throw new AppError('NOT_FOUND', 'This Wi-Fi network is not set up for sign-in');
    const client = this.deps.accessPoints.forGateway(found).parseLanding(query);
    const { gateway } = found;
    const deviceHash = this.deps.deviceHash(gateway.orgId, client.mac);
    const flow: FlowState = {
      id: FlowStore.newId(),
      csrf: FlowStore.newId(),
      orgId: gateway.orgId,
      venueId: gateway.venueId,
      gatewayId: gateway.id,
      client,
      deviceHash,
      randomisedMac: isRandomisedMac(client.mac),
      language: meta.language,
      ...(meta.ip ? { requestIp: meta.ip } : {}),
      step: 'phone',
      createdAt: this.deps.clock.now().toISOString(),
    };
    const known = await this.recognise(flow);
    if (known) Object.assign(flow, { step: 'welcome-back', knownPhone: maskPhone(known) });
    await this.deps.flows.save(flow);
    return flow;
  }

  /** The venue behind a gateway, for the RFC 8908 user-portal page. */
  async venueOf(gatewayId: string): Promise<{ orgId: string; venueId: string }> {
    const found = await this.deps.gateways.findForPortal(gatewayId);
    if (!found) throw new AppError('NOT_FOUND', 'This Wi-Fi network is not set up for sign-in');
    return { orgId: found.gateway.orgId, venueId: found.gateway.venueId };
  }

  /** The phone bound to this device, when it signed in within the organisation's recognition window. */
  async recognise(flow: FlowState): Promise<string | undefined> {
    const [binding, { settings }] = await Promise.all([this.deps.visitors.findBinding(flow.orgId, flow.deviceHash), this.deps.settings.org(flow.orgId)]);
    if (!binding) return undefined;
    const age = this.deps.clock.now().getTime() - binding.lastLoginAt.getTime();
    return age <= settings.recognitionDays * DAY_MS ? binding.phone : undefined;
  }

  async load(flowId: string): Promise<FlowState> {
    const flow = await this.deps.flows.load(flowId);
    if (!flow) throw new AppError('PORTAL_FLOW_EXPIRED');
    return flow;
  }

  async setLanguage(flow: FlowState, language: Language): Promise<void> {
    if (flow.language === language) return;
    flow.language = language;
    await this.deps.flows.save(flow);
  }

  async submitPhone(flow: FlowState, input: unknown, ip: string | undefined): Promise<void> {
    if (typeof input !== 'string' || input.trim() === '') throw new AppError('PHONE_INVALID');
    const { settings } = await this.deps.settings.org(flow.orgId);
    const defaultCountry = settings.defaultCountry ?? settings.allowedCountries[0];
    const { e164 } = normalisePhone(input, { allowedCountries: settings.allowedCountries, ...(defaultCountry ? { defaultCountry } : {}) });
    flow.phone = e164;
    await this.sendCode(flow, e164, settings, ip);
  }

  async resend(flow: FlowState, ip: string | undefined): Promise<void> {
    if (flow.phone === undefined || flow.step !== 'code') throw new AppError('PORTAL_FLOW_EXPIRED');
    await this.sendCode(flow, flow.phone, (await this.deps.settings.org(flow.orgId)).settings, ip);
  }

  async changeNumber(flow: FlowState): Promise<void> {
    delete flow.phone;
    delete flow.codeSentAt;
    flow.step = 'phone';
    await this.deps.flows.save(flow);
  }

  /** Caps and budget are reserved before the SMS goes out and given back if the provider failed. */
  private async sendCode(flow: FlowState, phone: string, settings: PortalOrgSettings, ip: string | undefined): Promise<void> {
    const request = { orgId: flow.orgId, venueId: flow.venueId, phone, deviceHash: flow.deviceHash, ip: ip ?? 'unknown', flowId: flow.id };
    await this.deps.limits.reserveSend(request, settings.sms);
    try {
      await this.deps.verifiers.forOrg(settings).send(phone, flow.language);
    } catch (error) {
      await this.deps.limits.releaseSend(request);
      throw error;
    }
    flow.step = 'code';
    flow.codeSentAt = this.deps.clock.now().toISOString();
    await this.deps.flows.save(flow);
    this.deps.logger.info({ flow: flow.id, venue: flow.venueId }, 'portal code sent');
  }

  async submitCode(flow: FlowState, input: unknown): Promise<void> {
    if (flow.step !== 'code' || flow.phone === undefined) throw new AppError('PORTAL_FLOW_EXPIRED');
    const code = typeof input === 'string' ? input.replace(/\s+/g, '') : '';
    if (!/^\d{4,10}$/.test(code)) throw new AppError('CODE_INVALID');
    const { settings } = await this.deps.settings.org(flow.orgId);
    const attemptsLeft = await this.deps.limits.recordCheck(flow.id, resolveSmsPolicy(settings.sms));
    const result = await this.deps.verifiers.forOrg(settings).check(flow.phone, code);
    if (result === 'expired') throw new AppError('CODE_EXPIRED');
    if (result === 'wrong') {
      throw attemptsLeft > 0 ? new AppError('CODE_INVALID', undefined, { attemptsLeft }) : new AppError('CODE_EXPIRED');
    }
    flow.verifiedAt = this.deps.clock.now().toISOString();
    flow.step = 'consent';
    await this.deps.flows.save(flow);
  }
}
