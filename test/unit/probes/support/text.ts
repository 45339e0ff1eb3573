import { readProbeRecordsFromStream, type ProbeRecord, type ReadOptions } from '../../../../src/analytics/probes/read.js';
import { chunked, collect } from './compare.js';

/** Records of `text` read whole, and the same read one byte at a time (they must agree). */
export async function readText(text: string | Buffer, options: ReadOptions = {}): Promise<ProbeRecord[]> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return collect(readProbeRecordsFromStream(chunked(bytes, bytes.length + 1), options));
}

export async function readTextBytewise(text: string | Buffer, options: ReadOptions = {}): Promise<ProbeRecord[]> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return collect(readProbeRecordsFromStream(chunked(bytes, 1), options));
}

/** Each record as the probe, or as `line N: error` / `byte N: error`. */
export const summary = (records: ProbeRecord[]): unknown[] =>
  records.map((r) => (r.ok ? r.probe : r.line !== undefined ? `line ${r.line}: ${r.error}` : `byte ${r.offset}: ${r.error}`));
