import { createHmac } from 'node:crypto';
import { deriveKey } from './secret-box.js';

/**
 * The only form in which a device identifier is stored: a keyed HMAC of the
 * normalised MAC, scoped to one organisation so two organisations cannot link
 * the same device. The portal (bindings) and analytics (probe requests) use
 * the same function, so a known device is recognised in both.
 */
export type DeviceHasher = (orgId: string, mac: string) => string;

export function createDeviceHasher(rootSecret: string): DeviceHasher {
  const key = deriveKey(rootSecret, 'device-hash/v1');
  return (orgId, mac) => createHmac('sha256', key).update(`${orgId}|${normaliseMac(mac)}`).digest('hex');
}

const MAC = /^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i;

/** `aa:bb:cc:dd:ee:ff`, or undefined when it is not a MAC. */
export function parseMac(value: string): string | undefined {
  if (!MAC.test(value)) return undefined;
  const hex = value.replace(/[:-]/g, '').toLowerCase();
  return hex.match(/../g)?.join(':');
}

export function normaliseMac(value: string): string {
  const mac = parseMac(value);
  if (mac === undefined) throw new Error('Not a MAC address');
  return mac;
}

/** Locally administered bit: phones' per-network and rotating random addresses. */
export function isRandomisedMac(mac: string): boolean {
  return (Number.parseInt(normaliseMac(mac).slice(0, 2), 16) & 0x02) !== 0;
}
