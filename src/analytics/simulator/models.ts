import {
  channel, extendedCapabilities, extendedRates, he, ht, interworking, OUI, rates24, rates5, rmCapabilities, ssid, vendor, vht,
  type IeTemplate,
} from './ies.js';

/** How a model picks the source address of its probe requests. */
export type MacKind =
  | { kind: 'random' }
  /** Older Android: Google's locally administered prefix plus 3 random bytes. */
  | { kind: 'random-prefix'; prefix: string }
  /** Burned-in address from one of the vendor's OUIs. */
  | { kind: 'global'; ouis: readonly string[] };

export type MacRotation = { kind: 'per-scan' } | { kind: 'interval'; minutes: number } | { kind: 'never' };

/** What happens to the 802.11 sequence counter when the address changes. */
export type SeqOnChange = 'continue' | 'random' | 'zero';

export type DeviceKind = 'phone' | 'tablet' | 'laptop' | 'watch' | 'fixed';

export interface DeviceModel {
  id: string;
  label: string;
  kind: DeviceKind;
  mac: MacKind;
  rotation: MacRotation;
  seqOnChange: SeqOnChange;
  ies24: readonly IeTemplate[];
  /** Undefined for 2.4 GHz-only devices. */
  ies5?: readonly IeTemplate[];
  channels24: readonly number[];
  channels5: readonly number[];
  /** Share of scans that cover only channels 1, 6, 11 (and the first 5 GHz channel). */
  partialScanShare: number;
  /** Probes per channel per scan: [count, weight] pairs. */
  probesPerChannel: readonly (readonly [number, number])[];
  /** Time spent on each channel during a scan, and between probes on one channel (ms). */
  channelTimeMs: number;
  probeGapMs: number;
  /** Screen on: first interval after the screen wakes, doubling up to max (Android-style backoff), seconds. */
  scanOn: { first: number; max: number };
  /** Screen off (or lid closed, or a fixed device's idle cycle): uniform interval range, seconds. */
  scanOff: readonly [number, number];
  /** Share of scans that also send directed probes for the device's remembered SSIDs. */
  directedShare: number;
  /** Transmit power of probes, dBm. */
  txPower: number;
}

const FULL_24 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const UNII1 = [36, 40, 44, 48];
const UNII3 = [149, 153, 157, 161, 165];
const TWO_PROBES: readonly (readonly [number, number])[] = [[1, 0.25], [2, 0.65], [3, 0.07], [4, 0.03]];

const APPLE_VENDOR = [vendor(OUI.apple, '0a000104000000'), vendor(OUI.microsoft, '08002300'), vendor(OUI.broadcom, '0200000000')];

/** Phones people carry; shares are in `DEFAULT_MIX` (options.ts). */
export const MODELS: Record<string, DeviceModel> = {
  iphone: {
    id: 'iphone', label: 'Apple iPhone, iOS 16+', kind: 'phone',
    mac: { kind: 'random' }, rotation: { kind: 'per-scan' }, seqOnChange: 'random',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2d00', '1b', 1), extendedCapabilities('0400000000000040'), he('0d0108000000', '20200c80c20c000000e000'), ...APPLE_VENDOR],
    ies5: [ssid(), rates5(), ht('6f00', '1b', 2), extendedCapabilities('0400080400000040'), vht('3270810f', 'faff'), he('0d0108000000', '22200c80c20c000000e000'), ...APPLE_VENDOR],
    channels24: FULL_24, channels5: [...UNII1, ...UNII3], partialScanShare: 0.35,
    probesPerChannel: TWO_PROBES, channelTimeMs: 45, probeGapMs: 20,
    scanOn: { first: 25, max: 120 }, scanOff: [180, 420], directedShare: 0.05, txPower: 15,
  },
  'android-recent': {
    id: 'android-recent', label: 'Android 10+ flagship (Samsung/Pixel class)', kind: 'phone',
    mac: { kind: 'random' }, rotation: { kind: 'per-scan' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('ef01', '17', 2), extendedCapabilities('0000080400000040'), vht('b1799103', 'faff'),
      vendor(OUI.microsoft, '08002900'), he('0108080000c0', '200e00ce000040000c0000'), vendor(OUI.wifiAlliance, '16'), vendor(OUI.qualcomm, '010102000100')],
    ies5: [ssid(), rates5(), ht('ef01', '17', 2), extendedCapabilities('0000080400000040'), vht('b1799103', 'faff'),
      vendor(OUI.microsoft, '08002900'), he('0108080000c0', '220e00ce000040000c0000'), vendor(OUI.wifiAlliance, '16'), vendor(OUI.qualcomm, '010102000100')],
    channels24: FULL_24, channels5: [...UNII1, ...UNII3], partialScanShare: 0.2,
    probesPerChannel: TWO_PROBES, channelTimeMs: 35, probeGapMs: 2,
    scanOn: { first: 20, max: 160 }, scanOff: [120, 300], directedShare: 0.05, txPower: 17,
  },
  'android-midrange': {
    id: 'android-midrange', label: 'Android 9-12 mid-range (MediaTek class)', kind: 'phone',
    mac: { kind: 'random' }, rotation: { kind: 'interval', minutes: 15 }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2d01', '17', 1), extendedCapabilities('0000000000000040'), vendor(OUI.microsoft, '08001900')],
    ies5: [ssid(), rates5(), channel(), ht('6f01', '17', 1), extendedCapabilities('0000000000000040'), vht('32318003', 'feff'), vendor(OUI.microsoft, '08001900')],
    channels24: FULL_24, channels5: UNII1, partialScanShare: 0.1,
    probesPerChannel: [[1, 0.5], [2, 0.5]], channelTimeMs: 40, probeGapMs: 3,
    scanOn: { first: 20, max: 160 }, scanOff: [90, 300], directedShare: 0.1, txPower: 16,
  },
  'android-legacy': {
    id: 'android-legacy', label: 'Android 6-8 with Google\'s DA:A1:19 random prefix', kind: 'phone',
    mac: { kind: 'random-prefix', prefix: 'da:a1:19' }, rotation: { kind: 'per-scan' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2d00', '03', 1), extendedCapabilities('00000000')],
    ies5: [ssid(), rates5(), ht('6e00', '03', 1)],
    channels24: FULL_24, channels5: UNII1, partialScanShare: 0.1,
    probesPerChannel: [[1, 0.2], [2, 0.8]], channelTimeMs: 30, probeGapMs: 0.5,
    scanOn: { first: 20, max: 160 }, scanOff: [60, 300], directedShare: 0.5, txPower: 16,
  },
  'phone-global': {
    id: 'phone-global', label: 'Phone probing with its burned-in address (old or randomisation off)', kind: 'phone',
    mac: { kind: 'global', ouis: ['8c:f5:a3', 'f4:f5:24', '3c:28:6d', 'b4:f1:da'] }, rotation: { kind: 'never' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2c01', '03', 1), vendor(OUI.microsoft, '04104a000110')],
    channels24: FULL_24, channels5: [], partialScanShare: 0,
    probesPerChannel: [[1, 0.6], [2, 0.4]], channelTimeMs: 30, probeGapMs: 2,
    scanOn: { first: 30, max: 120 }, scanOff: [60, 240], directedShare: 0.6, txPower: 15,
  },
  ipad: {
    id: 'ipad', label: 'Apple iPad', kind: 'tablet',
    mac: { kind: 'random' }, rotation: { kind: 'per-scan' }, seqOnChange: 'random',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2d00', '1b', 2), extendedCapabilities('0400000000000040'), he('0d0108000000', '20200c80c20c000000e000'), ...APPLE_VENDOR],
    ies5: [ssid(), rates5(), ht('6f00', '1b', 2), extendedCapabilities('0400080400000040'), vht('3270810f', 'faff'), he('0d0108000000', '22200c80c20c000000e000'), ...APPLE_VENDOR],
    channels24: FULL_24, channels5: [...UNII1, ...UNII3], partialScanShare: 0.35,
    probesPerChannel: TWO_PROBES, channelTimeMs: 45, probeGapMs: 20,
    scanOn: { first: 30, max: 120 }, scanOff: [600, 1200], directedShare: 0.05, txPower: 15,
  },
  'apple-watch': {
    id: 'apple-watch', label: 'Apple Watch', kind: 'watch',
    mac: { kind: 'random' }, rotation: { kind: 'per-scan' }, seqOnChange: 'random',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2c00', '1b', 1), extendedCapabilities('0400000000000040'), vendor(OUI.apple, '0a000104000000')],
    channels24: [1, 6, 11], channels5: [], partialScanShare: 0,
    probesPerChannel: [[1, 0.5], [2, 0.5]], channelTimeMs: 45, probeGapMs: 20,
    scanOn: { first: 120, max: 600 }, scanOff: [900, 1800], directedShare: 0, txPower: 12,
  },
  'laptop-windows': {
    id: 'laptop-windows', label: 'Windows laptop, Intel Wi-Fi (random hardware addresses off by default)', kind: 'laptop',
    mac: { kind: 'global', ouis: ['dc:fb:48', '04:d3:b0', '04:ea:56', '3c:a9:f4'] }, rotation: { kind: 'never' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), ht('ef01', '17', 2), extendedCapabilities('0400000000000040'), vendor(OUI.wifiAlliance, '1001')],
    ies5: [ssid(), rates5(), ht('ef01', '17', 2), extendedCapabilities('0400000000000040'), vht('b2798333', 'faff'), vendor(OUI.wifiAlliance, '1001')],
    channels24: FULL_24, channels5: [...UNII1, ...UNII3], partialScanShare: 0,
    probesPerChannel: [[1, 0.7], [2, 0.3]], channelTimeMs: 40, probeGapMs: 10,
    scanOn: { first: 60, max: 60 }, scanOff: [900, 2400], directedShare: 0.2, txPower: 18,
  },
  macbook: {
    id: 'macbook', label: 'Apple MacBook', kind: 'laptop',
    mac: { kind: 'random' }, rotation: { kind: 'per-scan' }, seqOnChange: 'random',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('ef09', '1b', 2), extendedCapabilities('0400080000000040'), vht('b2718103', 'faff'), ...APPLE_VENDOR],
    ies5: [ssid(), rates5(), ht('ef09', '1b', 2), extendedCapabilities('0400080000000040'), vht('b2718103', 'faff'), ...APPLE_VENDOR],
    channels24: FULL_24, channels5: [...UNII1, ...UNII3], partialScanShare: 0.2,
    probesPerChannel: TWO_PROBES, channelTimeMs: 45, probeGapMs: 20,
    scanOn: { first: 60, max: 120 }, scanOff: [900, 2400], directedShare: 0.05, txPower: 18,
  },
};

/** Fixed devices (PCs, printers, signage, tills): burned-in addresses, probing all day. */
export const STATIC_MODELS: Record<string, DeviceModel> = {
  'office-pc': {
    ...(MODELS['laptop-windows'] as DeviceModel), id: 'office-pc', label: 'All-in-one office PC, Intel Wi-Fi', kind: 'fixed',
    scanOn: { first: 60, max: 60 }, scanOff: [55, 130],
  },
  printer: {
    id: 'printer', label: 'Wi-Fi printer', kind: 'fixed',
    mac: { kind: 'global', ouis: ['3c:d9:2b', '00:26:ab', 'a4:5d:36'] }, rotation: { kind: 'never' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2c00', '03', 1), vendor(OUI.microsoft, '04104a000110')],
    channels24: FULL_24, channels5: [], partialScanShare: 0,
    probesPerChannel: [[1, 1]], channelTimeMs: 30, probeGapMs: 1,
    scanOn: { first: 300, max: 300 }, scanOff: [240, 420], directedShare: 1, txPower: 14,
  },
  signage: {
    id: 'signage', label: 'Digital signage player (Raspberry Pi class)', kind: 'fixed',
    mac: { kind: 'global', ouis: ['dc:a6:32', 'b8:27:eb', 'e4:5f:01'] }, rotation: { kind: 'never' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2d00', '17', 1), extendedCapabilities('0000000000000040'),
      vendor(OUI.microsoft, '08002b00'), vendor(OUI.broadcom, '0200000000')],
    channels24: FULL_24, channels5: [], partialScanShare: 0,
    probesPerChannel: [[1, 0.3], [2, 0.7]], channelTimeMs: 40, probeGapMs: 5,
    scanOn: { first: 120, max: 120 }, scanOff: [118, 124], directedShare: 0.3, txPower: 16,
  },
  'pos-terminal': {
    id: 'pos-terminal', label: 'Card terminal / till tablet (ESP32 or Android class)', kind: 'fixed',
    mac: { kind: 'global', ouis: ['24:0a:c4', '30:ae:a4', '84:cc:a8'] }, rotation: { kind: 'never' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('2c00', '03', 1), extendedCapabilities('0000000000000040')],
    channels24: FULL_24, channels5: [], partialScanShare: 0,
    probesPerChannel: [[1, 1]], channelTimeMs: 60, probeGapMs: 1,
    scanOn: { first: 180, max: 180 }, scanOff: [150, 300], directedShare: 1, txPower: 14,
  },
  'smart-tv': {
    id: 'smart-tv', label: 'Smart TV / streaming stick', kind: 'fixed',
    mac: { kind: 'global', ouis: ['f4:7b:09', '78:bd:bc', 'cc:6e:a4'] }, rotation: { kind: 'never' }, seqOnChange: 'continue',
    ies24: [ssid(), rates24(), extendedRates(), channel(), ht('ef01', '17', 2), extendedCapabilities('0000080000000040'), vht('b1799103', 'faff'), interworking(), rmCapabilities()],
    ies5: [ssid(), rates5(), ht('ef01', '17', 2), extendedCapabilities('0000080000000040'), vht('b1799103', 'faff'), interworking(), rmCapabilities()],
    channels24: FULL_24, channels5: UNII1, partialScanShare: 0,
    probesPerChannel: [[1, 0.5], [2, 0.5]], channelTimeMs: 40, probeGapMs: 3,
    scanOn: { first: 90, max: 90 }, scanOff: [60, 200], directedShare: 0.5, txPower: 16,
  },
};

export function modelById(id: string): DeviceModel {
  const model = MODELS[id] ?? STATIC_MODELS[id];
  if (model === undefined) throw new Error(`Unknown device model ${id}`);
  return model;
}

export function isRandomising(model: DeviceModel): boolean {
  return model.mac.kind !== 'global';
}
