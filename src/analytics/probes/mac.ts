const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Two lowercase hex digits for the byte at `offset` (a table: no toString call per byte). */
export const hexByte = (bytes: Uint8Array, offset: number): string => BYTE_HEX[bytes[offset] ?? 0] ?? '00';

/** The six bytes at `offset` as `aa:bb:cc:dd:ee:ff`. */
export function macFromBytes(bytes: Uint8Array, offset: number): string {
  return `${hexByte(bytes, offset)}:${hexByte(bytes, offset + 1)}:${hexByte(bytes, offset + 2)}:${hexByte(bytes, offset + 3)}:${hexByte(bytes, offset + 4)}:${hexByte(bytes, offset + 5)}`;
}

const isHexCode = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/**
 * `aa:bb:cc:dd:ee:ff` from `aa:bb:..`, `AA-BB-..` or `aabbccddeeff`; undefined when it is not a MAC.
 * Same forms as `parseMac` in shared/device-hash, without a regex: this runs once per probe.
 */
export function parseMacText(text: string): string | undefined {
  if (text.length === 17) {
    const sep = text.charCodeAt(2);
    if (sep !== 58 && sep !== 45) return undefined;
    for (let i = 0; i < 17; i += 1) {
      const c = text.charCodeAt(i);
      if (i % 3 === 2 ? c !== sep : !isHexCode(c)) return undefined;
    }
    const lower = text.toLowerCase();
    return sep === 58 ? lower : lower.replaceAll('-', ':');
  }
  if (text.length !== 12) return undefined;
  for (let i = 0; i < 12; i += 1) if (!isHexCode(text.charCodeAt(i))) return undefined;
  const l = text.toLowerCase();
  return `${l.slice(0, 2)}:${l.slice(2, 4)}:${l.slice(4, 6)}:${l.slice(6, 8)}:${l.slice(8, 10)}:${l.slice(10, 12)}`;
}

/** Group bit of the first octet of a normalised MAC: a group address can receive but never send a frame, so as a source it means corruption. */
export function isMulticastMac(mac: string): boolean {
  // The second hex digit of the first octet holds the group bit: odd digit, group address.
  const digit = mac.charCodeAt(1);
  return ((digit <= 57 ? digit - 48 : digit - 87) & 0x01) !== 0;
}

/** True when `text` is an even number of hex digits (the `ies` field). */
export function isHexText(text: string): boolean {
  if (text.length % 2 !== 0) return false;
  for (let i = 0; i < text.length; i += 1) if (!isHexCode(text.charCodeAt(i))) return false;
  return true;
}
