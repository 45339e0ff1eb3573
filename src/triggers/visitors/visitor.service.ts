import { withTransaction, type Db } from '../../db/pool.js';
import { VisitorRepository, type ConsentEvent, type ConsentState } from '../../portal/visitor.repository.js';
import type { Clock } from '../../shared/clock.js';
import { AppError, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { validate } from '../../shared/validate.js';
import type { PhoneHasher } from '../phone-hash.js';
import { SuppressionRepository } from '../sms/suppression.repository.js';
import { VisitorAttributesRepository } from './visitor-attributes.repository.js';
import { VisitorDataRepository, type VisitorRow, type VisitStats } from './visitor-data.repository.js';
import { MAX_ATTRIBUTES, attributesPatchSchema, consentChangeSchema, parsePhone, type AttributeValue } from './visitor.schemas.js';

export interface VisitorView {
  id: string;
  phone: string;
  createdAt: string;
  consent: ConsentState;
  loyaltyMember: boolean;
  attributes: Record<string, AttributeValue>;
  smsSuppressed: boolean;
  visits: { venueId: string; visits: number; firstVisitAt: string; lastVisitAt: string }[];
}

/** Erasure's reach into real-time presence (Redis): the visitor's devices at the organisation's venues. */
export type ForgetPresence = (orgId: string, venueIds: readonly string[], deviceHashes: readonly string[], visitorId: string) => Promise<void>;

export interface VisitorServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  hashPhone: PhoneHasher;
  forgetPresence?: ForgetPresence;
}

const visitView = (v: VisitStats) => ({ venueId: v.venueId, visits: v.visits, firstVisitAt: v.firstVisitAt.toISOString(), lastVisitAt: v.lastVisitAt.toISOString() });

/** The visitors API: what we hold about a visitor, CRM attributes, consent changes, export and erasure. */
export class VisitorService {
  private readonly data: VisitorDataRepository;

  constructor(private readonly deps: VisitorServiceDeps) {
    this.data = new VisitorDataRepository(deps.db);
  }

  async byPhone(orgId: string, input: unknown): Promise<VisitorView> {
    const visitor = await this.data.findByPhone(orgId, parsePhone(input));
    if (!visitor) throw notFound('Visitor');
    return this.view(orgId, visitor);
  }

  async get(orgId: string, visitorId: string): Promise<VisitorView> {
    return this.view(orgId, await this.require(orgId, visitorId));
  }

  /** Merge: keys given replace, null deletes, others stay. Serialised per visitor so concurrent merges both land. */
  async updateAttributes(orgId: string, visitorId: string, body: unknown): Promise<VisitorView> {
    const patch = validate(attributesPatchSchema, body);
    const visitor = await withTransaction(this.deps.db, async (tx) => {
      const found = await new VisitorDataRepository(tx).find(orgId, visitorId, { lock: true });
      if (!found) throw notFound('Visitor');
      const repo = new VisitorAttributesRepository(tx);
      const current = await repo.get(orgId, found.id);
      const attributes = { ...current.attributes };
      for (const [key, value] of Object.entries(patch.attributes ?? {})) {
        if (value === null) Reflect.deleteProperty(attributes, key);
        else attributes[key] = value;
      }
      if (Object.keys(attributes).length > MAX_ATTRIBUTES) {
        const message = `a visitor holds at most ${MAX_ATTRIBUTES} attributes`;
        throw new AppError('VALIDATION_FAILED', `attributes: ${message}`, { fields: [{ path: 'attributes', message }] });
      }
      await repo.put(orgId, found.id, { loyaltyMember: patch.loyaltyMember ?? current.loyaltyMember, attributes }, this.deps.clock.now());
      return found;
    });
    return this.view(orgId, visitor);
  }

  async consents(orgId: string, visitorId: string): Promise<ConsentEvent[]> {
    const visitor = await this.require(orgId, visitorId);
    return new VisitorRepository(this.deps.db).consentHistory(orgId, visitor.id);
  }

  /** A consent change the CRM collected (method 'api'). Granting SMS does not lift a STOP or an opt-out: only the number's owner can. */
  async changeConsent(orgId: string, visitorId: string, body: unknown): Promise<VisitorView> {
    const change = validate(consentChangeSchema, body);
    const visitor = await this.require(orgId, visitorId);
    await new VisitorRepository(this.deps.db).recordConsents(
      orgId,
      visitor.id,
      [{ id: newId(), purpose: change.purpose, granted: change.granted, textVersion: change.textVersion, venueId: null, gatewayId: null, method: 'api' }],
      this.deps.clock.now(),
    );
    this.deps.logger.info({ org: orgId, visitor: visitor.id, purpose: change.purpose, granted: change.granted }, 'consent changed through the API');
    return this.view(orgId, visitor);
  }

  /** Everything held about the visitor (data subject access): hashes stand for devices, never MACs. */
  async export(orgId: string, visitorId: string): Promise<Record<string, unknown>> {
    const visitor = await this.require(orgId, visitorId);
    const [view, consents, bindings, logins, decisions, deliveries, suppressions] = await Promise.all([
      this.view(orgId, visitor),
      new VisitorRepository(this.deps.db).consentHistory(orgId, visitor.id),
      this.data.bindings(orgId, visitor.id),
      this.data.logins(orgId, visitor.phone),
      this.data.decisions(orgId, visitor.id),
      this.data.deliveries(orgId, visitor.id),
      new SuppressionRepository(this.deps.db, this.deps.hashPhone).forOrg(orgId, visitor.phone),
    ]);
    return {
      exportedAt: this.deps.clock.now().toISOString(),
      visitor: { ...view, lastVerifiedAt: visitor.lastVerifiedAt.toISOString() },
      consents,
      bindings,
      logins,
      attributes: { loyaltyMember: view.loyaltyMember, attributes: view.attributes },
      visits: view.visits,
      suppressions,
      decisions,
      deliveries,
    };
  }

  /**
   * Erasure. The suppression list is keyed by a hash and survives, so a
   * withdrawal is still honoured if the number signs up again; decisions keep
   * the visitor id (pseudonymous), delivery contents are scrubbed, and the
   * portal login log stays for its legal retention period.
   */
  async erase(orgId: string, visitorId: string): Promise<void> {
    const at = this.deps.clock.now();
    const scrubbed = await withTransaction(this.deps.db, async (tx) => {
      const data = new VisitorDataRepository(tx);
      const visitor = await data.find(orgId, visitorId, { lock: true });
      if (!visitor) throw notFound('Visitor');
      const suppressions = new SuppressionRepository(tx, this.deps.hashPhone);
      // The ledger goes with the visitor: a suppression is what remembers a withdrawal still standing.
      const { sms_marketing: smsConsent } = await new VisitorRepository(tx).consentState(orgId, visitor.id);
      if (!smsConsent && (await data.everWithdrewSms(orgId, visitor.id)) && !(await suppressions.isSuppressed(orgId, visitor.phone))) {
        await suppressions.add(orgId, visitor.phone, 'admin', at);
      }
      const count = await data.scrubDeliveries(orgId, visitor.id, at);
      const devices = await data.presenceRefs(orgId, visitor.id);
      await data.delete(orgId, visitor.id);
      return { count, devices };
    });
    // After the commit: a failure here leaves only state that expires (2 days), never a half-erased database.
    await this.deps.forgetPresence?.(orgId, scrubbed.devices.venueIds, scrubbed.devices.deviceHashes, visitorId);
    this.deps.logger.info({ org: orgId, visitor: visitorId, deliveriesScrubbed: scrubbed.count }, 'visitor erased');
  }

  private async require(orgId: string, visitorId: string): Promise<VisitorRow> {
    const visitor = await this.data.find(orgId, visitorId);
    if (!visitor) throw notFound('Visitor');
    return visitor;
  }

  private async view(orgId: string, visitor: VisitorRow): Promise<VisitorView> {
    const [consent, attributes, smsSuppressed, visits] = await Promise.all([
      new VisitorRepository(this.deps.db).consentState(orgId, visitor.id),
      new VisitorAttributesRepository(this.deps.db).get(orgId, visitor.id),
      new SuppressionRepository(this.deps.db, this.deps.hashPhone).isSuppressed(orgId, visitor.phone),
      this.data.visits(orgId, visitor.id),
    ]);
    return {
      id: visitor.id,
      phone: visitor.phone,
      createdAt: visitor.createdAt.toISOString(),
      consent,
      loyaltyMember: attributes.loyaltyMember,
      attributes: attributes.attributes,
      smsSuppressed,
      visits: visits.map(visitView),
    };
  }
}
