import type { Probe } from './probe.js';
import type { ZoneClock } from './time.js';

export interface ReadOptions {
  /** Sensor id for probes whose input does not name one (pcap, the lab CSV); a sensor named by the input wins. */
  sensor?: string;
  /** IANA zone for timestamps written without an offset (the lab CSV's `datetime`); default 'UTC'. */
  timeZone?: string;
}

/** One parsed probe, or why a record could not be used and where it is (1-based line, or byte offset). */
export type ProbeRecord = { ok: true; probe: Probe } | { ok: false; error: string; line?: number; offset?: number };

export type ProbeResult = { ok: true; probe: Probe } | { ok: false; error: string };

/** What every parser needs besides the bytes. */
export interface ParseContext {
  sensor: string | undefined;
  clock: ZoneClock;
}

/**
 * A push parser: the reader hands it chunks in order and it appends what it could decode to `out`.
 * It may throw an AppError (a damaged binary file, an unknown format) after appending the records
 * before the damage; the reader passes those on first.
 */
export interface ChunkParser {
  push(chunk: Buffer, out: ProbeRecord[]): void;
  end(out: ProbeRecord[]): void;
}
