/**
 * Tagged information elements of a probe request body, as a device model
 * sends them. A template is the model's ordered IE list; the SSID (id 0) and
 * the DS Parameter Set (id 3, the current channel) are filled in per probe,
 * so `ies` hex varies with channel and SSID while the fingerprint does not.
 */
export interface IeTemplate {
  id: number;
  /** Body as hex; ignored for ids 0 (SSID) and 3 (channel). */
  data: string;
}

export const IE_SSID = 0;
export const IE_DS_PARAMETER_SET = 3;
export const IE_VENDOR = 221;

export const OUI = {
  apple: '0017f2',
  microsoft: '0050f2',
  broadcom: '001018',
  wifiAlliance: '506f9a',
  qualcomm: '8cfdf0',
  mediatek: '000ce7',
  samsung: '0000f0',
  intel: '001735',
} as const;

/**
 * The fingerprint a grouping step keys on: the ordered IE ids, then the
 * vendor-specific OUIs in order, e.g. `0,1,50,3,45,127,255,221,221,221|0017f2,0050f2,001018`.
 * Same shape as the Fryza capture's `dot11elt` + `oui` columns (there the OUIs are decimal).
 */
export function fingerprintOf(template: readonly IeTemplate[]): string {
  const ids = template.map((ie) => ie.id).join(',');
  const ouis = template.filter((ie) => ie.id === IE_VENDOR).map((ie) => ie.data.slice(0, 6));
  return `${ids}|${ouis.join(',')}`;
}

export function encodeIes(template: readonly IeTemplate[], channel: number, ssid: string): string {
  let out = '';
  for (const ie of template) {
    let body: string;
    if (ie.id === IE_SSID) body = Buffer.from(ssid, 'utf8').subarray(0, 32).toString('hex');
    else if (ie.id === IE_DS_PARAMETER_SET) body = byte(channel);
    else body = ie.data;
    out += byte(ie.id) + byte(body.length / 2) + body;
  }
  return out;
}

function byte(value: number): string {
  return (value & 0xff).toString(16).padStart(2, '0');
}

// Builders for the common elements; the bytes are plausible values of each
// field (capability bits, MCS sets), not copies of a particular capture.

export const ssid = (): IeTemplate => ({ id: IE_SSID, data: '' });
export const channel = (): IeTemplate => ({ id: IE_DS_PARAMETER_SET, data: '' });
/** Supported rates: 2.4 GHz 11b basic + 11g, or 5 GHz OFDM only. */
export const rates24 = (): IeTemplate => ({ id: 1, data: '02040b160c121824' });
export const rates5 = (): IeTemplate => ({ id: 1, data: '8c129824b048606c' });
export const extendedRates = (): IeTemplate => ({ id: 50, data: '3048606c' });

/** HT capabilities (26 bytes): capability info, A-MPDU parameters, MCS set (1 or 2 streams). */
export function ht(capInfo: string, ampdu: string, streams: 1 | 2): IeTemplate {
  const mcs = (streams === 2 ? 'ffff' : 'ff00') + '00'.repeat(14);
  return { id: 45, data: capInfo + ampdu + mcs + '0000' + '00000000' + '00' };
}

export const extendedCapabilities = (hex: string): IeTemplate => ({ id: 127, data: hex });

/** VHT capabilities (12 bytes): capability info, then rx/tx MCS maps. */
export const vht = (capInfo: string, mcsMap: string): IeTemplate => ({ id: 191, data: capInfo + mcsMap + '0000' + mcsMap + '0000' });

/** HE capabilities (element id extension 35): MAC caps (6), PHY caps (11), MCS/NSS (4). */
export const he = (macCaps: string, phyCaps: string): IeTemplate => ({ id: 255, data: '23' + macCaps + phyCaps + 'fafffaff' });

export const interworking = (): IeTemplate => ({ id: 107, data: '0f' });
export const rmCapabilities = (): IeTemplate => ({ id: 70, data: '7200000000' });

export const vendor = (oui: string, rest: string): IeTemplate => ({ id: IE_VENDOR, data: oui + rest });
