import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { readProbeRecordsFromStream, type ProbeRecord } from '../../../../src/analytics/probes/read.js';
import type { TsharkProbe } from './tshark.js';

export async function collect(records: AsyncIterable<ProbeRecord>): Promise<ProbeRecord[]> {
  const all: ProbeRecord[] = [];
  for await (const record of records) all.push(record);
  return all;
}

/** Records of `file`, fed in chunks of `chunkBytes` (small chunks split every record across pushes). */
export async function recordsOf(file: string, chunkBytes = 1 << 20): Promise<ProbeRecord[]> {
  const bytes = await readFile(file);
  return collect(readProbeRecordsFromStream(chunked(bytes, chunkBytes)));
}

export async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  await Promise.resolve();
}

/** What we must refuse even though tshark shows it: no dBm signal, a failed FCS, a multicast source. */
const unusable = (t: TsharkProbe): boolean => t.rssi === undefined || t.badFcs || (Number.parseInt(t.mac.slice(0, 2), 16) & 1) === 1 || t.rssi < -120 || t.rssi > 0;

/** Field-by-field differences between our records and tshark's probe requests (empty when they agree on every probe). */
export function differences(records: ProbeRecord[], expected: TsharkProbe[]): string[] {
  const problems: string[] = [];
  if (records.length !== expected.length) problems.push(`${records.length} records, tshark shows ${expected.length} probe requests`);
  expected.forEach((t, i) => {
    const record = records[i];
    if (record === undefined) return;
    if (unusable(t)) {
      if (record.ok || !record.error.startsWith(`frame ${t.frame}:`)) problems.push(`frame ${t.frame}: expected a bad record, got ${JSON.stringify(record)}`);
      return;
    }
    if (!record.ok) {
      problems.push(`frame ${t.frame}: ${record.error}`);
      return;
    }
    const p = record.probe;
    const ours = { micros: BigInt(Math.round(p.ts * 1e6)), mac: p.mac, rssi: p.rssi, seq: p.seq, ssid: p.ssid, channel: p.channel, fp: p.fp };
    const theirs = { micros: t.micros, mac: t.mac, rssi: t.rssi, seq: t.seq, ssid: t.ssid, channel: t.channel, fp: t.fp };
    for (const key of Object.keys(ours) as (keyof typeof ours)[]) {
      if (ours[key] !== theirs[key]) problems.push(`frame ${t.frame} ${key}: ours ${String(ours[key])}, tshark ${String(theirs[key])}`);
    }
  });
  return problems;
}

export function assertMatchesTshark(records: ProbeRecord[], expected: TsharkProbe[]): void {
  assert.ok(expected.length > 0, 'tshark found no probe requests: the comparison would prove nothing');
  assert.deepEqual(differences(records, expected).slice(0, 20), []);
}
