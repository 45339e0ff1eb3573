import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probeFromJson } from '../../../src/analytics/probes/json.js';
import { readText, readTextBytewise, summary } from './support/text.js';

const MAC = '02:aa:bb:cc:dd:ee';

describe('probeFromJson', () => {
  it('accepts the minimal probe and normalises the MAC', () => {
    assert.deepEqual(probeFromJson({ ts: 1710420847.533395, mac: '02-AA-BB-CC-DD-EE', rssi: -67 }), { ok: true, probe: { ts: 1710420847.533395, mac: MAC, rssi: -67 } });
    assert.deepEqual(probeFromJson({ ts: 1, mac: '02AABBCCDDEE', rssi: 0 }), { ok: true, probe: { ts: 1, mac: MAC, rssi: 0 } });
  });

  it('keeps every field in the canonical order, drops empty ones, ignores unknown ones', () => {
    const result = probeFromJson({ ies: '000474657374', channel: 6, ssid: '', seq: 1234, rssi: -67, mac: MAC, sensor: 'door', ts: 5, extra: true });
    assert.ok(result.ok);
    assert.deepEqual(Object.keys(result.probe), ['ts', 'sensor', 'mac', 'rssi', 'seq', 'ssid', 'channel', 'fp', 'ies']);
    assert.equal(result.probe.ssid, 'test', 'the empty ssid is filled in from the SSID element');
    assert.equal(result.probe.fp, '0|');
    const given = probeFromJson({ ts: 5, mac: MAC, rssi: -1, ssid: '', fp: 'mine', ies: '000474657374' });
    assert.deepEqual(given, { ok: true, probe: { ts: 5, mac: MAC, rssi: -1, fp: 'mine', ies: '000474657374' } }, 'a given fp is kept as it is');
  });

  it('reads ISO 8601 times to the microsecond, with Z, an offset, or in the given zone', () => {
    const at = (ts: string, timeZone?: string): number | undefined => {
      const result = probeFromJson({ ts, mac: MAC, rssi: -50 }, { timeZone });
      return result.ok ? result.probe.ts : undefined;
    };
    assert.equal(at('2024-03-14T12:54:07.533395Z'), 1710420847.533395);
    assert.equal(at('2024-03-14T13:54:07.533395+01:00'), 1710420847.533395);
    assert.equal(at('2024-03-14 13:54:07.533395', 'Europe/Prague'), 1710420847.533395);
    assert.equal(at('2024-03-14 12:54:07.533395'), 1710420847.533395, 'no offset and no zone: UTC');
  });

  it('derives fp and ssid from ies when they are not given', () => {
    const result = probeFromJson({ ts: 1, mac: MAC, rssi: -50, ies: '0003616263010402040b16dd07506F9A16030103' });
    assert.deepEqual(result, { ok: true, probe: { ts: 1, mac: MAC, rssi: -50, ssid: 'abc', fp: '0,1,221|506f9a', ies: '0003616263010402040b16dd07506f9a16030103' } });
  });

  it('says what is wrong with a record, every problem at once', () => {
    const error = (value: unknown): string | undefined => {
      const result = probeFromJson(value);
      return result.ok ? undefined : result.error;
    };
    assert.equal(error({ ts: 1710420847533, mac: MAC, rssi: -50 }), 'ts looks like milliseconds: give epoch seconds');
    assert.equal(error({ ts: 1710420847533395, mac: MAC, rssi: -50 }), 'ts looks like microseconds: give epoch seconds');
    assert.equal(error({ ts: '14/03/2024', mac: MAC, rssi: -50 }), 'ts must be epoch seconds or an ISO 8601 time like 2024-03-14T12:54:07.533395Z (got "14/03/2024")');
    assert.equal(error({ ts: 1, mac: '01:00:5e:00:00:01', rssi: -50 }), 'mac is a multicast address (first octet bit 0 set), which is not a valid source');
    assert.equal(error({ ts: 1, mac: 'not a mac', rssi: -50 }), 'mac must be a MAC address like aa:bb:cc:dd:ee:ff');
    assert.equal(error({ ts: 1, mac: MAC, rssi: 12 }), 'rssi must be a number from -120 to 0 dBm (got 12)');
    assert.equal(error({ ts: 1, mac: MAC, rssi: '-50' }), 'rssi must be a number from -120 to 0 dBm (got "-50")');
    assert.equal(error({ ts: 1, mac: MAC, rssi: -50, seq: 4096 }), 'seq must be an integer from 0 to 4095 (got 4096)');
    assert.equal(error({ ts: 1, mac: MAC, rssi: -50, channel: 1.5 }), 'channel must be an integer from 1 to 255 (got 1.5)');
    assert.equal(error({ ts: 1, mac: MAC, rssi: -50, ies: 'abc' }), 'ies must be hex: an even number of 0-9, a-f digits');
    assert.equal(error({ mac: MAC }), 'ts is required; rssi is required');
    assert.equal(error([1, 2]), 'each probe must be a JSON object');
  });

  it('never repeats a MAC in an error message', () => {
    const result = probeFromJson({ ts: 1, mac: '03:12:34:56:78:9a', rssi: -50 });
    assert.ok(!result.ok && !result.error.includes('12:34'));
  });
});

describe('NDJSON files', () => {
  const lines = [
    `{"ts": 1700000000.25, "mac": "${MAC}", "rssi": -60, "seq": 7}`,
    '',
    `{"ts": 1700000000, "mac": "${MAC}", "rssi": -60, "seq": 5000}`,
    '{"ts": 1700000001, "mac": ',
    `  {"ts": "2023-11-14T22:13:21Z", "sensor": "door", "mac": "${MAC}", "rssi": -61}  `,
  ];

  it('one probe per line; bad lines reported by number; CRLF, BOM and blank lines allowed', async () => {
    const expected = [
      { ts: 1700000000.25, sensor: 'hall', mac: MAC, rssi: -60, seq: 7 },
      'line 3: seq must be an integer from 0 to 4095 (got 5000)',
      "line 4: not valid JSON: it ends too early",
      { ts: 1700000001, sensor: 'door', mac: MAC, rssi: -61 },
    ];
    const lf = `${lines.join('\n')}\n`;
    const crlf = `\uFEFF${lines.join('\r\n')}`;
    for (const text of [lf, crlf]) {
      assert.deepEqual(summary(await readText(text, { sensor: 'hall' })), expected);
      assert.deepEqual(summary(await readTextBytewise(text, { sensor: 'hall' })), expected);
    }
  });

  it('reports a line longer than 1 MiB and goes on', async () => {
    const text = `{"ssid": "${'x'.repeat(1 << 20)}"}\n{"ts": 1, "mac": "${MAC}", "rssi": -1}\n`;
    assert.deepEqual(summary(await readText(text)), ['line 1: line is longer than 1048576 bytes', { ts: 1, mac: MAC, rssi: -1 }]);
  });

  it('an empty or blank file holds no probes', async () => {
    assert.deepEqual(await readText(''), []);
    assert.deepEqual(await readText(' \n\n'), []);
  });
});

describe('JSON array files', () => {
  const text = [
    '[',
    `  {"ts": 1, "mac": "${MAC}", "rssi": -50, "ssid": "a \\"quoted\\" ] } name"},`,
    '  {"ts": 2, "mac": "x", "rssi": -50},',
    '  {"ts": 3, "mac": ,},',
    '  42,',
    `  {"ts": 4,`,
    `   "mac": "${MAC}", "rssi": -40, "nested": {"a": [1, {"b": 2}]}}`,
    ']',
  ].join('\n');

  it('one probe per element, each error with the line the element starts on, whatever the chunking', async () => {
    const expected = [
      { ts: 1, mac: MAC, rssi: -50, ssid: 'a "quoted" ] } name' },
      'line 3: mac must be a MAC address like aa:bb:cc:dd:ee:ff',
      'line 4: not valid JSON',
      'line 5: each probe must be a JSON object',
      { ts: 4, mac: MAC, rssi: -40 },
    ];
    assert.deepEqual(summary(await readText(text)), expected);
    assert.deepEqual(summary(await readTextBytewise(text)), expected);
  });

  it('an array cut short, and text after the array', async () => {
    assert.deepEqual(summary(await readText(`[{"ts": 1, "mac": "${MAC}", "rssi": -1}, {"ts": 2,\n"mac"`)), [
      { ts: 1, mac: MAC, rssi: -1 },
      'line 1: the file ends inside this probe (the JSON array is cut short)',
    ]);
    assert.deepEqual(summary(await readText(`[{"ts": 1, "mac": "${MAC}", "rssi": -1}\n`)), [{ ts: 1, mac: MAC, rssi: -1 }, 'line 2: the JSON array is not closed with ]']);
    assert.deepEqual(summary(await readText('[]\n[]')), ['line 2: unexpected text after the end of the JSON array']);
  });
});
