import { Router } from 'express';
import { PresenceStore } from '../../analytics/presence/index.js';
import { AppError } from '../../shared/errors.js';
import type { TriggerModuleDeps } from '../module-deps.js';
import { createPhoneHasher } from '../phone-hash.js';
import type { ConsentGate, SmsSender } from '../ports.js';
import { visitorRoutes } from '../visitors/visitor.routes.js';
import { VisitorService } from '../visitors/visitor.service.js';
import { createConsentGate } from './consent.gate.js';
import { createOptOutTokens } from './opt-out-token.js';
import { optOutRoutes } from './opt-out.routes.js';
import { SmsService, type DeviceContext } from './sms.service.js';
import { suppressionRoutes } from './suppression.routes.js';
import { createTwilioSmsSender } from './twilio.sms-sender.js';
import { twilioRoutes } from './twilio.routes.js';

/** SMS sending, consent at send time, suppression list, STOP/START, opt-out links, the visitors API. */
export interface SmsModule {
  /** undefined when Twilio is not configured: SMS actions are then recorded as failed with the reason. */
  sender: SmsSender | undefined;
  consent: ConsentGate;
  /** Twilio status callback URL for a delivery (signed by Twilio, validated on receipt). */
  statusCallbackUrl(): string | undefined;
  /** /visitors... and /sms-suppressions (behind the API key). */
  apiRoutes: Router;
  /** /webhooks/twilio/inbound, /webhooks/twilio/status, /o/:token opt-out pages (no API key). */
  publicRoutes: Router;
  /** Consent withdrawal and re-opt-in outside the portal form, Twilio delivery reports, admin suppressions. */
  service: SmsService;
  /** The visitors API's service (export, erasure, attributes). */
  visitors: VisitorService;
  /** For the portal's welcome-back page: `portalRoutes({ ...portal, marketing: sms.portalPreferences })`. */
  portalPreferences: { stopMarketing(device: DeviceContext): Promise<boolean> };
}

export function createSms(deps: TriggerModuleDeps): SmsModule {
  const { config, db, clock, logger } = deps;
  const hashPhone = createPhoneHasher(deps.secretKey);
  const tokens = createOptOutTokens(deps.secretKey);
  const service = new SmsService({ db, clock, logger, hashPhone });
  const presence = new PresenceStore(deps.redis, config.queue.prefix);
  const visitors = new VisitorService({ db, clock, logger, hashPhone, forgetPresence: (...args) => presence.forgetVisitor(...args) });
  const twilio = config.twilio;

  const publicRoutes = Router();
  if (twilio) {
    publicRoutes.use(twilioRoutes({ authToken: twilio.authToken, publicUrl: config.publicUrl, sms: service }));
  } else {
    // Nobody may post "STOP" or delivery reports at us: a plain 404, answered before later routers' CSRF checks.
    publicRoutes.post(['/webhooks/twilio/inbound', '/webhooks/twilio/status'], () => {
      throw new AppError('NOT_FOUND', 'Twilio is not configured');
    });
  }
  publicRoutes.use(optOutRoutes({ tokens, sms: service }));

  const apiRoutes = Router();
  apiRoutes.use(visitorRoutes(visitors), suppressionRoutes(service));

  return {
    sender: twilio ? createTwilioSmsSender({ config: twilio, logger, hashPhone }) : undefined,
    consent: createConsentGate({ db, hashPhone, tokens, publicUrl: config.publicUrl }),
    statusCallbackUrl: () => (twilio ? `${config.publicUrl}/webhooks/twilio/status` : undefined),
    apiRoutes,
    publicRoutes,
    service,
    visitors,
    portalPreferences: { stopMarketing: (device) => service.stopMarketingOnDevice(device) },
  };
}
