import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { readProbeRecordsFromStream, type ProbeRecord } from '../../../src/analytics/probes/index.js';

async function records(text: string): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  for await (const record of readProbeRecordsFromStream(Readable.from([Buffer.from(text)]), { sensor: 'door' })) out.push(record);
  return out;
}

describe('probe times out of range', () => {
  it('refuses a well-formed ISO time in an absurd year (a damaged capture) and keeps the other records', async () => {
    const lines = [
      { ts: '2024-03-14T12:54:07Z', mac: '3c:22:fb:00:00:01', rssi: -60 },
      { ts: '6024-03-14T12:54:07Z', mac: '3c:22:fb:00:00:02', rssi: -60 },
      { ts: '0001-01-01T00:00:00Z', mac: '3c:22:fb:00:00:03', rssi: -60 },
    ];
    const [good, future, ancient] = await records(lines.map((l) => JSON.stringify(l)).join('\n'));
    assert.equal(good?.ok, true);
    assert.ok(future && !future.ok && /outside 1970 to 5138/.test(future.error), JSON.stringify(future));
    assert.ok(ancient && !ancient.ok && /outside 1970 to 5138/.test(ancient.error), JSON.stringify(ancient));
  });
});
