import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import { AppError } from '../../shared/errors.js';
import { deriveKey } from '../../shared/secret-box.js';
import { createTwilioClient } from '../../shared/twilio-client.js';
import type { PortalOrgSettings } from '../portal.settings.js';
import { DevSmsVerifier } from './dev.verifier.js';
import { HashedCodeStore, messageSenderFrom, OwnCodeVerifier } from './own-code.verifier.js';
import type { CheckResult, SmsVerifier } from './sms-verifier.js';
import { TwilioVerifyVerifier } from './twilio-verify.verifier.js';

/** Picks the organisation's verifier from what the deployment has configured. */
export interface VerifierFactory {
  forOrg(settings: PortalOrgSettings): SmsVerifier;
  /** Development without Twilio only: the code to show on the page. */
  devCodeFor(phone: string): Promise<string | undefined>;
}

/** No SMS provider in production: every send fails with a clear error instead of a crash. */
const unavailable: SmsVerifier = {
  kind: 'unavailable',
  send(): Promise<void> {
    return Promise.reject(new AppError('SMS_UNAVAILABLE', 'No SMS provider is configured (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)'));
  },
  check(): Promise<CheckResult> {
    return Promise.resolve('expired');
  },
};

export function createVerifierFactory(deps: { config: Config; redis: Redis; secretKey: string }): VerifierFactory {
  const { config } = deps;
  const store = new HashedCodeStore({ redis: deps.redis, prefix: config.queue.prefix, hmacKey: deriveKey(deps.secretKey, 'portal-codes/v1') });
  const twilio = config.twilio;
  if (!twilio) {
    const dev = config.env === 'production' ? undefined : new DevSmsVerifier(store, config.env);
    return {
      forOrg: () => dev ?? unavailable,
      devCodeFor: async (phone) => dev?.lastCodeFor(phone),
    };
  }
  const client = createTwilioClient(twilio);
  const verify = twilio.verifyServiceSid ? new TwilioVerifyVerifier(client, twilio.verifyServiceSid) : undefined;
  const canMessage = twilio.messagingServiceSid !== undefined || twilio.from !== undefined;
  const own = canMessage ? new OwnCodeVerifier(client, store, messageSenderFrom(twilio)) : undefined;
  return {
    forOrg(settings) {
      // Fall back to whichever the deployment can do: a configured Verify service or a sender for our own codes.
      const chosen = settings.verification === 'own-code' ? (own ?? verify) : (verify ?? own);
      return chosen ?? unavailable;
    },
    devCodeFor: () => Promise.resolve(undefined),
  };
}
