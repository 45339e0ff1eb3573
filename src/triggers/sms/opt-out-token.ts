import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../../shared/secret-box.js';

/**
 * The capability in the withdrawal link of every SMS: organisation and visitor
 * ids (16 bytes each) and a truncated HMAC, base64url. No database row, and
 * short enough not to cost an extra SMS segment (56 characters).
 */
export interface OptOutTokens {
  sign(orgId: string, visitorId: string): string;
  /** undefined for anything not signed by us (tampered, truncated, another key). */
  verify(token: string): { orgId: string; visitorId: string } | undefined;
}

const ID_BYTES = 16;
const MAC_BYTES = 10;
const TOKEN_BYTES = 2 * ID_BYTES + MAC_BYTES;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{56}$/;

const uuidBytes = (id: string): Buffer => Buffer.from(id.replace(/-/g, ''), 'hex');

function uuidOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createOptOutTokens(secretKey: string): OptOutTokens {
  const key = deriveKey(secretKey, 'sms-opt-out/v1');
  const mac = (ids: Buffer): Buffer => createHmac('sha256', key).update(ids).digest().subarray(0, MAC_BYTES);
  return {
    sign(orgId, visitorId) {
      const ids = Buffer.concat([uuidBytes(orgId), uuidBytes(visitorId)]);
      if (ids.length !== 2 * ID_BYTES) throw new Error('opt-out tokens need UUIDs');
      return Buffer.concat([ids, mac(ids)]).toString('base64url');
    },
    verify(token) {
      if (!TOKEN_PATTERN.test(token)) return undefined;
      const raw = Buffer.from(token, 'base64url');
      if (raw.length !== TOKEN_BYTES) return undefined;
      const ids = raw.subarray(0, 2 * ID_BYTES);
      if (!timingSafeEqual(raw.subarray(2 * ID_BYTES), mac(ids))) return undefined;
      return { orgId: uuidOf(ids.subarray(0, ID_BYTES)), visitorId: uuidOf(ids.subarray(ID_BYTES)) };
    },
  };
}
