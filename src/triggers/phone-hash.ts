import { createHmac } from 'node:crypto';
import { deriveKey } from '../shared/secret-box.js';

/**
 * The suppression list's key for a phone number (E.164): a keyed HMAC, so the
 * list can outlive an erased visitor without keeping the number itself.
 */
export type PhoneHasher = (phone: string) => string;

export function createPhoneHasher(secretKey: string): PhoneHasher {
  const key = deriveKey(secretKey, 'sms-suppression/v1');
  return (phone) => createHmac('sha256', key).update(phone).digest('hex');
}
