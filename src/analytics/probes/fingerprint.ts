import { hexByte, isHexText } from './mac.js';

/**
 * The device-model fingerprint `fp`: the tagged information-element ids in frame order, comma-separated,
 * a `|`, then the OUI of every vendor-specific element (id 221) in order as six lowercase hex digits,
 * comma-separated. Example: `0,1,50,3,45,127,107,221,221,221|0017f2,0050f2,001018`; with no vendor
 * element the part after `|` is empty (`0,1,50,45,127|`).
 *
 * The same string comes out of a pcap frame, the lab CSV (`dot11elt` ids + decimal `oui`) and `ies`
 * hex, so probes from any source group together. Random MACs change, this list does not (it is what
 * the phone's driver puts in every probe request), which is why the pipeline groups by it.
 */
export function fingerprintOf(ieIds: readonly number[], vendorOuis: readonly string[]): string {
  for (const id of ieIds) {
    if (!Number.isInteger(id) || id < 0 || id > 255) throw new RangeError(`IE id ${id} is not a byte (0..255)`);
  }
  return `${ieIds.join(',')}|${vendorOuis.map(normaliseOui).join(',')}`;
}

/** `506f9a` from `50:6f:9a`, `50-6F-9A` or `506F9A`. */
export function normaliseOui(oui: string): string {
  const separated = oui.length === 8 && (oui[2] === ':' || oui[2] === '-') && oui[5] === oui[2];
  const hex = separated ? oui.slice(0, 2) + oui.slice(3, 5) + oui.slice(6) : oui;
  if (hex.length !== 6 || !isHexText(hex)) throw new RangeError(`OUI "${oui}" is not three hex bytes`);
  return hex.toLowerCase();
}

/** `506f9a` from the decimal form the lab CSV uses (5271450). */
export function ouiFromNumber(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffff) throw new RangeError(`OUI ${value} is not three bytes`);
  return value.toString(16).padStart(6, '0');
}

export interface IeSummary {
  /** See {@link fingerprintOf}; built here in one pass without intermediate arrays (hot path). */
  fp: string;
  /** SSID element (id 0) as UTF-8; undefined for the wildcard (empty) SSID or when there is none. */
  ssid: string | undefined;
}

/**
 * Walks the tagged elements in `bytes[start, end)`. An element cut short by the end of the frame (snap
 * length, damage) ends the walk; its id still counts, and its OUI when the three bytes are there (a cut
 * SSID does not), as in Wireshark's `wlan.tag.number` / `wlan.tag.oui` / `wlan.ssid`.
 */
export function summariseIes(bytes: Uint8Array, start: number, end: number): IeSummary {
  let ids = '';
  let ouis = '';
  let ssid: string | undefined;
  let sawSsid = false;
  for (let p = start; p + 2 <= end; ) {
    const id = bytes[p] ?? 0;
    const data = p + 2;
    const length = bytes[p + 1] ?? 0;
    const stop = Math.min(data + length, end);
    ids = ids === '' ? String(id) : `${ids},${id}`;
    if (id === 221 && stop - data >= 3) {
      const oui = hexByte(bytes, data) + hexByte(bytes, data + 1) + hexByte(bytes, data + 2);
      ouis = ouis === '' ? oui : `${ouis},${oui}`;
    } else if (id === 0 && !sawSsid) {
      sawSsid = true;
      if (length > 0 && stop === data + length) ssid = Buffer.from(bytes.buffer, bytes.byteOffset + data, stop - data).toString('utf8');
    }
    p = data + length;
  }
  return { fp: `${ids}|${ouis}`, ssid };
}
