import { withTransaction, type Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { newId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { VisitorRepository, type ConsentMethod } from '../../portal/visitor.repository.js';
import type { PhoneHasher } from '../phone-hash.js';
import { SmsRepository } from './sms.repository.js';
import { SuppressionRepository, type Suppression } from './suppression.repository.js';
import { TWILIO_UNSUBSCRIBED } from './twilio.sms-sender.js';

export interface SmsServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  hashPhone: PhoneHasher;
}

/** Where a portal visitor withdrew: the device's binding names the visitor. */
export interface DeviceContext {
  orgId: string;
  venueId: string;
  gatewayId: string;
  deviceHash: string;
}

export interface DeliveryStatusUpdate {
  providerId: string;
  /** Twilio MessageStatus: queued, sent, delivered, undelivered, failed, ... */
  status: string;
  errorCode?: number;
  to?: string;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * Withdrawing and giving SMS marketing consent outside the portal form (STOP
 * and START replies, the link in every SMS, the portal's preferences, the
 * API) and Twilio's delivery reports. A withdrawal is effective at once: the
 * engine re-reads consent and the suppression list right before every send.
 */
export class SmsService {
  private readonly suppressions: SuppressionRepository;
  private readonly repo: SmsRepository;

  constructor(private readonly deps: SmsServiceDeps) {
    this.suppressions = new SuppressionRepository(deps.db, deps.hashPhone);
    this.repo = new SmsRepository(deps.db);
  }

  /** A STOP-family reply: every organisation's visitor with the number withdraws, and the number is suppressed everywhere. */
  async stopReply(phone: string): Promise<number> {
    if (!E164.test(phone)) return 0;
    const at = this.deps.clock.now();
    const count = await withTransaction(this.deps.db, async (tx) => {
      const visitors = await new SmsRepository(tx).visitorsWithPhone(phone);
      for (const visitor of visitors) await withdraw(new VisitorRepository(tx), visitor.orgId, visitor.id, 'sms_stop', 'sms-reply', at);
      await new SuppressionRepository(tx, this.deps.hashPhone).add(null, phone, 'stop_reply', at);
      return visitors.length;
    });
    this.deps.logger.info({ recipient: this.recipient(phone), visitors: count }, 'sms STOP reply: marketing consent withdrawn');
    return count;
  }

  /** START/UNSTOP/YES: lifts the global suppression and re-grants SMS marketing (organisations' own suppressions stay). */
  async startReply(phone: string): Promise<number> {
    if (!E164.test(phone)) return 0;
    const at = this.deps.clock.now();
    const count = await withTransaction(this.deps.db, async (tx) => {
      const visitors = await new SmsRepository(tx).visitorsWithPhone(phone);
      const ledger = new VisitorRepository(tx);
      for (const visitor of visitors) {
        await ledger.recordConsents(visitor.orgId, visitor.id, [consentEvent(true, 'sms_start', 'sms-reply')], at);
      }
      await new SuppressionRepository(tx, this.deps.hashPhone).remove(null, phone);
      return visitors.length;
    });
    this.deps.logger.info({ recipient: this.recipient(phone), visitors: count }, 'sms START reply: marketing consent given again');
    return count;
  }

  /** The link in an SMS: withdraws and suppresses the number for that organisation. False when the visitor is gone. */
  async optOutByLink(orgId: string, visitorId: string): Promise<boolean> {
    const at = this.deps.clock.now();
    const done = await withTransaction(this.deps.db, async (tx) => {
      const visitor = await new SmsRepository(tx).visitor(orgId, visitorId);
      if (!visitor) return false;
      await withdraw(new VisitorRepository(tx), orgId, visitor.id, 'opt_out_link', 'opt-out-link', at);
      await new SuppressionRepository(tx, this.deps.hashPhone).add(orgId, visitor.phone, 'opt_out_link', at);
      return true;
    });
    if (done) this.deps.logger.info({ org: orgId, visitor: visitorId }, 'sms opt-out link: marketing consent withdrawn');
    return done;
  }

  /** What the opt-out page shows: the organisation's name and, while we still hold it, the number. */
  async optOutSubject(orgId: string, visitorId: string): Promise<{ orgName: string; phone: string | undefined }> {
    const [orgName, visitor] = await Promise.all([this.repo.orgName(orgId), this.repo.visitor(orgId, visitorId)]);
    return { orgName: orgName ?? '', phone: visitor?.phone };
  }

  /** The portal's "stop marketing messages": false when no visitor is bound to the device any more. */
  async stopMarketingOnDevice(device: DeviceContext): Promise<boolean> {
    const visitorId = await this.repo.visitorOnDevice(device.orgId, device.deviceHash);
    if (visitorId === undefined) return false;
    await new VisitorRepository(this.deps.db).recordConsents(
      device.orgId,
      visitorId,
      [{ ...consentEvent(false, 'portal_preferences', 'portal-preferences'), venueId: device.venueId, gatewayId: device.gatewayId }],
      this.deps.clock.now(),
    );
    this.deps.logger.info({ org: device.orgId, visitor: visitorId, venue: device.venueId }, 'portal: marketing consent withdrawn');
    return true;
  }

  /** Twilio's status callback: final states refine the delivery; 21610 means the number unsubscribed at the carrier. */
  async deliveryStatus(update: DeliveryStatusUpdate): Promise<void> {
    const at = this.deps.clock.now();
    const code = update.errorCode;
    if (update.status === 'delivered') {
      await this.repo.markDelivery(update.providerId, { status: 'delivered', reason: null }, at);
    } else if (update.status === 'undelivered' || update.status === 'failed') {
      const reason = `sms ${update.status}${code !== undefined ? ` (Twilio error ${code})` : ''}`;
      await this.repo.markDelivery(update.providerId, { status: 'failed', reason }, at);
    }
    // The STOP went to our sender number, which every organisation shares: suppress globally.
    if (code === TWILIO_UNSUBSCRIBED && update.to !== undefined && E164.test(update.to)) {
      await this.suppressions.add(null, update.to, 'carrier_unsubscribed', at);
      this.deps.logger.info({ recipient: this.recipient(update.to) }, 'sms number unsubscribed at the carrier: suppressed');
    }
  }

  /** Admin suppression for one organisation (POST /sms-suppressions). */
  async suppress(orgId: string, phone: string): Promise<Suppression> {
    const at = this.deps.clock.now();
    await this.suppressions.add(orgId, phone, 'admin', at);
    const own = (await this.suppressions.forOrg(orgId, phone)).find((s) => s.orgId === orgId);
    return own ?? { orgId, reason: 'admin', createdAt: at };
  }

  /** Lifts the organisation's own suppression; a global STOP stays (only a START from the number lifts it). */
  unsuppress(orgId: string, phone: string): Promise<boolean> {
    return this.suppressions.remove(orgId, phone);
  }

  private recipient(phone: string): string {
    return this.deps.hashPhone(phone).slice(0, 12);
  }
}

function consentEvent(granted: boolean, method: ConsentMethod, textVersion: string) {
  return { id: newId(), purpose: 'sms_marketing' as const, granted, textVersion, venueId: null, gatewayId: null, method };
}

function withdraw(ledger: VisitorRepository, orgId: string, visitorId: string, method: ConsentMethod, textVersion: string, at: Date): Promise<void> {
  return ledger.recordConsents(orgId, visitorId, [consentEvent(false, method, textVersion)], at);
}
