import { validateProbe } from './fields.js';
import type { ParseContext, ProbeRecord, ProbeResult } from './record.js';
import { zoneClock } from './time.js';

/**
 * Validates one NDJSON/JSON probe object: `{"ts": <epoch seconds or ISO 8601>, "sensor", "mac", "rssi",
 * "seq", "ssid", "channel", "fp", "ies"}`, of which ts, mac and rssi are required. The error lists every
 * problem in words a person can act on. ISO times without an offset are read in `options.timeZone` (UTC).
 */
export function probeFromJson(value: unknown, options: { timeZone?: string; sensor?: string } = {}): ProbeResult {
  return probeFromJsonValue(value, { clock: zoneClock(options.timeZone), sensor: options.sensor });
}

export function probeFromJsonValue(value: unknown, ctx: ParseContext): ProbeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'each probe must be a JSON object' };
  return validateProbe(value, ctx);
}

/**
 * "not valid JSON: <what> (at character N)". V8's message sometimes quotes the input, which may hold a
 * device's MAC, so a message with a quote in it is reduced to the position.
 */
export function jsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
  if (!position) return message.startsWith('Unexpected end of JSON') ? 'not valid JSON: it ends too early' : 'not valid JSON';
  const [, problem = '', at = '0'] = position;
  const what = problem.includes('"') ? '' : `: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`;
  return `not valid JSON${what} (at character ${Number(at) + 1})`;
}

/** One JSON text (an NDJSON line, an array element) to a record: a syntax or field problem is a bad record at `line`. */
export function pushJsonRecord(text: string, line: number, ctx: ParseContext, out: ProbeRecord[]): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    out.push({ ok: false, error: jsonSyntaxError(error), line });
    return;
  }
  const result = probeFromJsonValue(value, ctx);
  out.push(result.ok ? result : { ok: false, error: result.error, line });
}
