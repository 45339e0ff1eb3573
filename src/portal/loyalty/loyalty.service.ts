import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { PortalSettingsService } from '../settings.service.js';
import { HttpCrmClient, type CrmClient, type LoyaltyProfile } from './crm.client.js';

/**
 * The loyalty hook: ask the organisation's CRM whether a verified phone is a
 * member and, where the venue offers it, sign non-members up. The CRM is
 * never allowed to keep a visitor off the Wi-Fi: every failure is logged
 * and skipped.
 */
export class LoyaltyService {
  constructor(
    private readonly deps: {
      settings: PortalSettingsService;
      clock: Clock;
      logger: Logger;
      /** Tests and future adapters may swap the HTTP client. */
      crmFor?: (url: string, secret: string) => CrmClient;
    },
  ) {}

  /** The pre-filled form to show, or undefined when there is nothing to offer. */
  async offer(orgId: string, venueId: string, phone: string): Promise<LoyaltyProfile | undefined> {
    const venue = await this.deps.settings.venue(orgId, venueId);
    if (!venue.loyaltyForm) return undefined;
    const crm = await this.crm(orgId);
    if (!crm) return undefined;
    try {
      const lookup = await crm.lookupMember(phone);
      return lookup.member ? undefined : lookup.profile;
    } catch (error) {
      this.deps.logger.warn({ org: orgId, err: { message: (error as Error).message } }, 'CRM member lookup failed; loyalty form skipped');
      return undefined;
    }
  }

  async join(orgId: string, venueId: string, phone: string, profile: LoyaltyProfile): Promise<void> {
    const crm = await this.crm(orgId);
    if (!crm) return;
    try {
      await crm.pushProfile(phone, profile, { venueId });
    } catch (error) {
      this.deps.logger.warn({ org: orgId, err: { message: (error as Error).message } }, 'CRM profile push failed');
    }
  }

  private async crm(orgId: string): Promise<CrmClient | undefined> {
    const { settings, crmSecret } = await this.deps.settings.org(orgId);
    if (!settings.crm || crmSecret === undefined) return undefined;
    return this.deps.crmFor
      ? this.deps.crmFor(settings.crm.url, crmSecret)
      : new HttpCrmClient({ url: settings.crm.url, secret: crmSecret, clock: this.deps.clock });
  }
}
