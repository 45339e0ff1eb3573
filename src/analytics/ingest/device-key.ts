import { createHash, createHmac, type KeyObject } from 'node:crypto';

/**
 * What a stored probe keeps of its transmitter: `device_key`, the first 16
 * bytes of HMAC-SHA256(period salt, MAC bytes). 16 bytes keep collisions
 * negligible for any venue's device count at half the size of the full MAC.
 */
export const DEVICE_KEY_BYTES = 16;
export const FP_GROUP_BYTES = 8;

/** `aa:bb:cc:dd:ee:ff` -> its 6 bytes. */
export function macBytes(mac: string): Buffer {
  return Buffer.from(mac.replaceAll(':', ''), 'hex');
}

export function deviceKeyOf(salt: KeyObject, mac: string): Buffer {
  return createHmac('sha256', salt).update(macBytes(mac)).digest().subarray(0, DEVICE_KEY_BYTES);
}

/** A portal visitor's device: the organisation HMAC of its binding, cut to the key size, stable across salt periods. */
export function knownDeviceKey(orgHash: string): Buffer {
  return Buffer.from(orgHash, 'hex').subarray(0, DEVICE_KEY_BYTES);
}

/** A device-model group from the IE fingerprint: the hash, so the IE text itself is not kept. */
export function fpGroupOf(fp: string): Buffer {
  return createHash('sha256').update(fp).digest().subarray(0, FP_GROUP_BYTES);
}

/** The salt period containing an instant: fixed-length periods aligned to the Unix epoch (UTC days for 24 h). */
export function saltPeriodOf(epochMs: number, rotationHours: number): { start: number; end: number } {
  const length = rotationHours * 3_600_000;
  const start = Math.floor(epochMs / length) * length;
  return { start, end: start + length };
}
