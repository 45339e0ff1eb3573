import { AppError } from '../../shared/errors.js';

export type SmsLocale = 'en' | 'ru';

export type CheckResult = 'approved' | 'wrong' | 'expired';

/**
 * Proves that a guest holds a phone by texting a code. One interface for every
 * way of doing it (Twilio Verify, our own code over the Messaging API, the
 * development stand-in) so the portal service never knows which one it has.
 *
 * Callers must pass `to` straight from `normalisePhone()` run at send time, and
 * reserve the send with `SmsLimits` first: verifiers spend money and do not
 * police abuse themselves. Implementations never log the number or the code.
 */
export interface SmsVerifier {
  /** Stable name for logs and metrics: 'twilio-verify', 'own-code', 'dev'. */
  readonly kind: string;
  /**
   * Texts a new code to `to` (E.164), replacing any earlier one.
   * @throws AppError SMS_UNAVAILABLE (provider down, misconfigured, or the
   *   guest replied STOP), PHONE_INVALID / PHONE_LANDLINE / PHONE_NOT_ALLOWED
   *   (the provider refused this number), SMS_LIMIT_REACHED (the provider's own rate limit).
   */
  send(to: string, locale: SmsLocale): Promise<void>;
  /**
   * 'wrong' leaves the code usable for another try; 'expired' means no usable
   * code is left (timed out, used, or too many wrong tries): ask for a new one.
   * @throws AppError SMS_UNAVAILABLE when the provider cannot be asked.
   */
  check(to: string, code: string): Promise<CheckResult>;
}

/**
 * What guests type: "123 456", "123-456", full-width digits from some
 * keyboards. Returns undefined for anything that cannot be a code, so it is
 * answered 'wrong' without a provider call.
 */
export function normaliseCode(code: string): string | undefined {
  const digits = code.normalize('NFKC').replace(/[\s-]/g, '');
  return /^\d{4,10}$/.test(digits) ? digits : undefined;
}

/** The fields of the SDK's RestException we rely on (duck-typed: the class is CJS and may be loaded twice). */
export interface ProviderError {
  status: number;
  code: number | undefined;
}

export function asProviderError(error: unknown): ProviderError | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error) || typeof error.status !== 'number') return undefined;
  const code = 'code' in error && typeof error.code === 'number' ? error.code : undefined;
  return { status: error.status, code };
}

const INVALID_NUMBER = new Set([21211, 21217, 21401, 60200]);
const NOT_MOBILE = new Set([21407, 21614, 60205]);
const REGION_BLOCKED = new Set([21408, 60410, 60605]);
const PROVIDER_RATE_LIMIT = new Set([60203, 20429, 14107]);

/**
 * Turns a failed send into an AppError a guest may see. The provider's own
 * message is dropped on purpose: Twilio repeats the phone number in it
 * ("The 'To' number +44... is not a valid phone number"), and error details end
 * up in logs. Only the numeric code and status are kept for diagnosis.
 */
export function mapSendError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const provider = asProviderError(error);
  const details = { provider: provider ? { status: provider.status, code: provider.code ?? null } : { status: null, code: null } };
  const code = provider?.code;
  if (code === undefined) return new AppError('SMS_UNAVAILABLE', 'We could not send an SMS right now; try again in a minute', details);
  if (INVALID_NUMBER.has(code)) return new AppError('PHONE_INVALID', 'This is not a valid mobile phone number', details);
  if (NOT_MOBILE.has(code)) return new AppError('PHONE_LANDLINE', 'Codes are sent by SMS: enter a mobile number', details);
  if (REGION_BLOCKED.has(code)) {
    // Geo permissions or Twilio's Fraud Guard (60410): the provider will not text this number or prefix.
    return new AppError('PHONE_NOT_ALLOWED', 'We cannot send codes to this number; try another mobile number', details);
  }
  if (code === 21610) {
    // The guest replied STOP to us before; only they can undo it (by texting START).
    return new AppError('SMS_UNAVAILABLE', 'This number has blocked our messages (replied STOP); text START to our number, then try again', {
      ...details,
      reason: 'unsubscribed',
    });
  }
  if (PROVIDER_RATE_LIMIT.has(code)) return new AppError('SMS_LIMIT_REACHED', 'Too many codes requested; try again later', details);
  return new AppError('SMS_UNAVAILABLE', 'We could not send an SMS right now; try again in a minute', details);
}
