import type { Probe } from '../probes/probe.js';
import type { RecordProblem } from './ingest.repository.js';

/** One input record: a parsed probe, or the parser's reason, with where it came from. */
export type IngestRecord = ({ ok: true; probe: Probe } | { ok: false; error: string }) & { line?: number; offset?: number; index?: number };

export interface CheckRules {
  /** The server's clock, epoch ms. */
  nowMs: number;
  /** Older probes are past the retention. */
  retentionDays: number;
  /** Probes further ahead of the server's clock come from a sensor clock running ahead. */
  maxSkewSeconds: number;
  /** The sensor the batch is for: a record naming another one is refused. */
  sensor: { id: string; name: string };
}

export interface CheckedRecords {
  probes: Probe[];
  problems: RecordProblem[];
}

const MAC_LIKE = /\b[0-9a-f]{2}(?:[:-]?[0-9a-f]{2}){5}\b/gi;
/** The placeholder parsers use in their messages ("a MAC address like aa:bb:cc:dd:ee:ff") is no device's. */
const EXAMPLE_MAC = 'aa:bb:cc:dd:ee:ff';
const MAX_REASON = 300;

/** Reasons are returned and stored: never let one carry a MAC, whatever the parser put in it. */
export function scrubReason(reason: string): string {
  const clean = reason.replace(MAC_LIKE, (found) => (found.toLowerCase() === EXAMPLE_MAC ? found : '<mac>'));
  return clean.length > MAX_REASON ? `${clean.slice(0, MAX_REASON - 1)}…` : clean;
}

const isInt = (value: number | undefined, min: number, max: number): boolean => value === undefined || (Number.isInteger(value) && value >= min && value <= max);

function storable(probe: Probe): string | undefined {
  if (!Number.isFinite(probe.rssi) || Math.abs(probe.rssi) > 32767) return `rssi: ${probe.rssi} is not a signal strength in dBm`;
  if (!isInt(probe.seq, 0, 4095)) return `seq: ${String(probe.seq)} is not a sequence number (0-4095)`;
  if (!isInt(probe.channel, 0, 32767)) return `channel: ${String(probe.channel)} is not a channel number`;
  return undefined;
}

function timeProblem(ts: number, rules: CheckRules): string | undefined {
  const ms = ts * 1000;
  if (!Number.isFinite(ms)) return 'ts: not a time';
  if (ms < rules.nowMs - rules.retentionDays * 86_400_000) return `ts: ${new Date(ms).toISOString()} is older than the ${rules.retentionDays}-day retention`;
  const ahead = (ms - rules.nowMs) / 1000;
  if (ahead > rules.maxSkewSeconds) {
    return `ts: ${new Date(ms).toISOString()} is ${Math.round(ahead)} s ahead of the server's clock (allowed: ${rules.maxSkewSeconds} s); is the sensor's clock set (NTP)?`;
  }
  return undefined;
}

/**
 * Splits a batch into storable probes and per-record problems (pure). The
 * checks every input path shares: the parser's verdict, the sensor named by
 * the record, the time window, and values the columns can hold.
 */
export function checkRecords(records: Iterable<IngestRecord>, rules: CheckRules): CheckedRecords {
  const probes: Probe[] = [];
  const problems: RecordProblem[] = [];
  for (const record of records) {
    const where =
      record.line !== undefined ? { line: record.line } : record.offset !== undefined ? { offset: record.offset } : { index: record.index ?? problems.length + probes.length };
    let reason: string | undefined;
    if (!record.ok) reason = record.error;
    else {
      const { probe } = record;
      if (probe.sensor !== undefined && probe.sensor !== rules.sensor.id && probe.sensor !== rules.sensor.name) {
        reason = `sensor: "${probe.sensor}" is not the sensor this token belongs to (${rules.sensor.name})`;
      } else reason = timeProblem(probe.ts, rules) ?? storable(probe);
      if (reason === undefined) probes.push(probe);
    }
    if (reason !== undefined) problems.push({ ...where, reason: scrubReason(reason) });
  }
  return { probes, problems };
}
