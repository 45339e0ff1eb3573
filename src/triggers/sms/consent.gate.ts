import type { Db } from '../../db/pool.js';
import { VisitorRepository } from '../../portal/visitor.repository.js';
import type { PhoneHasher } from '../phone-hash.js';
import type { ConsentGate } from '../ports.js';
import type { OptOutTokens } from './opt-out-token.js';
import { SmsRepository } from './sms.repository.js';
import { SuppressionRepository } from './suppression.repository.js';

/** Consent and suppression as they stand right now: the engine asks this immediately before every send. */
export function createConsentGate(deps: { db: Db; hashPhone: PhoneHasher; tokens: OptOutTokens; publicUrl: string }): ConsentGate {
  const visitors = new SmsRepository(deps.db);
  const ledger = new VisitorRepository(deps.db);
  const suppressions = new SuppressionRepository(deps.db, deps.hashPhone);
  return {
    async current(orgId, visitorId) {
      const visitor = await visitors.visitor(orgId, visitorId);
      if (!visitor) return undefined;
      const [consent, smsSuppressed] = await Promise.all([ledger.consentState(orgId, visitor.id), suppressions.isSuppressed(orgId, visitor.phone)]);
      return { phone: visitor.phone, consent, smsSuppressed };
    },
    suppressNumber: (orgId, phone, reason, at) => suppressions.add(orgId, phone, reason, at),
    optOutUrl: (orgId, visitorId) => `${deps.publicUrl}/o/${deps.tokens.sign(orgId, visitorId)}`,
  };
}
