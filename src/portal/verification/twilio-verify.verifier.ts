import type twilio from 'twilio';
import { AppError } from '../../shared/errors.js';
import { asProviderError, mapSendError, normaliseCode, type CheckResult, type SmsLocale, type SmsVerifier } from './sms-verifier.js';

/** 20404: Verify deleted the verification (approved, expired, or checked too often). 60202: max check attempts reached. */
const NO_USABLE_CODE = new Set([20404, 60202]);

/**
 * Twilio Verify v2: Twilio generates, texts, stores and checks the code (and
 * applies its own send/check limits and Fraud Guard). We keep no code state.
 */
export class TwilioVerifyVerifier implements SmsVerifier {
  readonly kind = 'twilio-verify';

  constructor(
    private readonly client: twilio.Twilio,
    private readonly serviceSid: string,
  ) {}

  async send(to: string, locale: SmsLocale): Promise<void> {
    try {
      await this.client.verify.v2.services(this.serviceSid).verifications.create({ to, channel: 'sms', locale });
    } catch (error) {
      throw mapSendError(error);
    }
  }

  async check(to: string, code: string): Promise<CheckResult> {
    const digits = normaliseCode(code);
    // Not worth an API call (and Twilio answers 60200 for a malformed code).
    if (digits === undefined) return 'wrong';
    try {
      const result = await this.client.verify.v2.services(this.serviceSid).verificationChecks.create({ to, code: digits });
      if (result.status === 'approved') return 'approved';
      // 'pending' is a wrong code; 'canceled', 'expired', 'max_attempts_reached', 'failed' leave nothing to retry.
      return result.status === 'pending' ? 'wrong' : 'expired';
    } catch (error) {
      const provider = asProviderError(error);
      if (provider?.code !== undefined && NO_USABLE_CODE.has(provider.code)) return 'expired';
      throw new AppError('SMS_UNAVAILABLE', 'We could not check the code right now; try again in a minute', {
        provider: { status: provider?.status ?? null, code: provider?.code ?? null },
      });
    }
  }
}
