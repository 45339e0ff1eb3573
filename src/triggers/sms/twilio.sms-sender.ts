import twilio from 'twilio';
import type { TwilioConfig } from '../../config.js';
import type { Logger } from '../../shared/logger.js';
import { createTwilioClient } from '../../shared/twilio-client.js';
import type { PhoneHasher } from '../phone-hash.js';
import type { SmsMessage, SmsResult, SmsSender } from '../ports.js';

/** Twilio: "Attempt to send to unsubscribed recipient" (the number replied STOP to our sender). */
export const TWILIO_UNSUBSCRIBED = 21610;
/** Twilio: too many requests (account or sender throughput). */
const TWILIO_RATE_LIMITED = 20429;

/** Who sends: a number or a Messaging Service; undefined when Twilio is not set up for sending. */
export function senderIdentity(config: TwilioConfig | undefined): { from: string } | { messagingServiceSid: string } | undefined {
  if (config?.messagingServiceSid) return { messagingServiceSid: config.messagingServiceSid };
  if (config?.from) return { from: config.from };
  return undefined;
}

/** Twilio's messages quote the number ("The 'To' number +44... is not valid"): results end up in the delivery log. */
const redact = (text: string): string => text.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]');

/**
 * Pure: what a failed Messages create means for the delivery. 21610 is final
 * (never retry, suppress the number); throttling, server errors and the
 * network are worth another attempt; anything else Twilio refused is permanent.
 */
export function classifySmsError(error: unknown): SmsResult {
  if (error instanceof twilio.RestException) {
    const code = error.code;
    const base = { ...(code !== undefined ? { errorCode: code } : {}), error: `Twilio ${error.status}${code !== undefined ? ` (${code})` : ''}: ${redact(error.message)}` };
    if (code === TWILIO_UNSUBSCRIBED) return { outcome: 'unsubscribed', ...base };
    if (code === TWILIO_RATE_LIMITED || error.status === 429 || error.status >= 500) return { outcome: 'retry', ...base };
    return { outcome: 'failed', ...base };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: 'retry', error: `Twilio unreachable: ${redact(message)}` };
}

/** SmsSender over the real Twilio SDK (TWILIO_API_BASE_URL points it elsewhere in tests). */
export function createTwilioSmsSender(deps: { config: TwilioConfig; logger: Logger; hashPhone: PhoneHasher }): SmsSender | undefined {
  const identity = senderIdentity(deps.config);
  if (!identity) return undefined;
  const client = createTwilioClient(deps.config);
  return {
    async send(message: SmsMessage): Promise<SmsResult> {
      // Never the number or the text in logs: a prefix of its keyed hash correlates attempts.
      const recipient = deps.hashPhone(message.to).slice(0, 12);
      try {
        const sent = await client.messages.create({
          to: message.to,
          body: message.body,
          ...identity,
          ...(message.statusCallbackUrl ? { statusCallback: message.statusCallbackUrl } : {}),
        });
        deps.logger.debug({ recipient, providerId: sent.sid }, 'sms accepted by Twilio');
        return { outcome: 'sent', providerId: sent.sid };
      } catch (error) {
        const result = classifySmsError(error);
        deps.logger.warn({ recipient, outcome: result.outcome, errorCode: result.errorCode }, 'sms not accepted by Twilio');
        return result;
      }
    },
  };
}
