import { summariseIes } from './fingerprint.js';
import { isHexText, isMulticastMac, parseMacText } from './mac.js';
import type { Probe } from './probe.js';
import type { ParseContext, ProbeResult } from './record.js';
import { parseDateTime } from './time.js';

/** A probe's fields as they came from a text record (JSON values, or CSV text already turned into numbers). */
export interface RawProbe {
  ts?: unknown;
  sensor?: unknown;
  mac?: unknown;
  rssi?: unknown;
  seq?: unknown;
  ssid?: unknown;
  channel?: unknown;
  fp?: unknown;
  ies?: unknown;
}

/** Epoch seconds past this are year 5138: the number is milliseconds (or finer). */
export const LATEST_SECONDS = 1e11;

const absent = (value: unknown): boolean => value === undefined || value === null;
const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

function readTs(value: unknown, name: string, ctx: ParseContext, problems: string[]): number {
  if (absent(value) || value === '') {
    problems.push(`${name} is required`);
  } else if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0 && value < LATEST_SECONDS) return value;
    if (value >= 1e17) problems.push(`${name} looks like nanoseconds: give epoch seconds`);
    else if (value >= 1e14) problems.push(`${name} looks like microseconds: give epoch seconds`);
    else if (value >= LATEST_SECONDS) problems.push(`${name} looks like milliseconds: give epoch seconds`);
    else problems.push(`${name} must be epoch seconds (a number from 0) or an ISO 8601 time (got ${shown(value)})`);
  } else if (typeof value === 'string') {
    const ts = parseDateTime(value, ctx.clock);
    // A well-formed time can still be absurd (a damaged year such as 6024): the same range as epoch seconds.
    if (ts !== undefined && ts >= 0 && ts < LATEST_SECONDS) return ts;
    if (ts !== undefined) problems.push(`${name} is outside 1970 to 5138 (got ${shown(value)})`);
    else problems.push(`${name} must be epoch seconds or an ISO 8601 time like 2024-03-14T12:54:07.533395Z (got ${shown(value)})`);
  } else {
    problems.push(`${name} must be epoch seconds or an ISO 8601 time`);
  }
  return Number.NaN;
}

function readMac(value: unknown, name: string, problems: string[]): string {
  if (absent(value) || value === '') {
    problems.push(`${name} is required`);
    return '';
  }
  // The value is never echoed: it may be a real device address.
  const mac = typeof value === 'string' ? parseMacText(value) : undefined;
  if (mac === undefined) problems.push(`${name} must be a MAC address like aa:bb:cc:dd:ee:ff`);
  else if (isMulticastMac(mac)) problems.push(`${name} is a multicast address (first octet bit 0 set), which is not a valid source`);
  return mac ?? '';
}

function readInteger(name: string, value: unknown, min: number, max: number, problems: string[]): number | undefined {
  if (absent(value) || value === '') return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push(`${name} must be an integer from ${min} to ${max} (got ${shown(value)})`);
  return undefined;
}

function readText(name: string, value: unknown, problems: string[]): string | undefined {
  if (absent(value) || value === '') return undefined;
  if (typeof value === 'string') return value;
  problems.push(`${name} must be a string`);
  return undefined;
}

function readRssi(value: unknown, name: string, problems: string[]): number {
  if (absent(value) || value === '') problems.push(`${name} is required`);
  else if (typeof value === 'number' && value >= -120 && value <= 0) return value;
  else problems.push(`${name} must be a number from -120 to 0 dBm (got ${shown(value)})`);
  return Number.NaN;
}

/** Column names to use in messages when the input calls a field something else (the lab CSV's `src`). */
export type FieldLabels = Partial<Record<keyof RawProbe, string>>;

/**
 * Checks one probe's fields and builds the Probe (fields in the canonical order, absent ones left out).
 * Every problem is reported, not only the first; `problems` may already hold the caller's own.
 * `ies` without `fp` gives `fp` (and `ssid`, when absent) from the elements.
 */
export function validateProbe(raw: RawProbe, ctx: ParseContext, labels: FieldLabels = {}, problems: string[] = []): ProbeResult {
  const ts = readTs(raw.ts, labels.ts ?? 'ts', ctx, problems);
  const sensor = readText('sensor', raw.sensor, problems) ?? ctx.sensor;
  const mac = readMac(raw.mac, labels.mac ?? 'mac', problems);
  const rssi = readRssi(raw.rssi, labels.rssi ?? 'rssi', problems);
  const seq = readInteger(labels.seq ?? 'seq', raw.seq, 0, 4095, problems);
  let ssid = readText('ssid', raw.ssid, problems);
  const channel = readInteger(labels.channel ?? 'channel', raw.channel, 1, 255, problems);
  let fp = readText('fp', raw.fp, problems);
  let ies = readText('ies', raw.ies, problems);
  if (ies !== undefined) {
    if (isHexText(ies)) {
      ies = ies.toLowerCase();
      if (fp === undefined) {
        const summary = summariseIes(Buffer.from(ies, 'hex'), 0, ies.length / 2);
        fp = summary.fp;
        ssid ??= summary.ssid;
      }
    } else {
      problems.push('ies must be hex: an even number of 0-9, a-f digits');
    }
  }
  if (problems.length > 0) return { ok: false, error: problems.join('; ') };
  return { ok: true, probe: buildProbe({ ts, sensor, mac, rssi, seq, ssid, channel, fp, ies }) };
}

/** The Probe with its fields in the canonical order (the `passby probes` output order) and absent ones left out. */
export function buildProbe(parts: Probe): Probe {
  const probe: Probe = parts.sensor === undefined ? { ts: parts.ts, mac: parts.mac, rssi: parts.rssi } : { ts: parts.ts, sensor: parts.sensor, mac: parts.mac, rssi: parts.rssi };
  if (parts.seq !== undefined) probe.seq = parts.seq;
  if (parts.ssid !== undefined && parts.ssid !== '') probe.ssid = parts.ssid;
  if (parts.channel !== undefined) probe.channel = parts.channel;
  if (parts.fp !== undefined) probe.fp = parts.fp;
  if (parts.ies !== undefined) probe.ies = parts.ies;
  return probe;
}
