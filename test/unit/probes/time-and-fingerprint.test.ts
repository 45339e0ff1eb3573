import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintOf, normaliseOui, ouiFromNumber, summariseIes } from '../../../src/analytics/probes/fingerprint.js';
import { parseDateTime, ZoneClock, zoneClock } from '../../../src/analytics/probes/time.js';
import { AppError } from '../../../src/shared/errors.js';

const utc = zoneClock('UTC');

describe('parseDateTime', () => {
  it('reads offsets, fractions to the nanosecond, and T, t or a space between date and time', () => {
    const base = 1710420847;
    assert.equal(parseDateTime('2024-03-14T12:54:07Z', utc), base);
    assert.equal(parseDateTime('2024-03-14t12:54:07z', utc), base);
    assert.equal(parseDateTime('2024-03-14 18:24:07+05:30', utc), base);
    assert.equal(parseDateTime('2024-03-14T18:24:07+0530', utc), base);
    assert.equal(parseDateTime('2024-03-14T09:54:07-03', utc), base);
    assert.equal(parseDateTime('2024-03-14T12:54Z', utc), base - 7);
    assert.equal(parseDateTime('2024-03-14T12:54:07,25Z', utc), base + 0.25);
    assert.equal(parseDateTime('2024-03-14T12:54:07.533395Z', utc), 1710420847.533395);
    assert.equal(parseDateTime('2024-03-14T12:54:07.533395123Z', utc), base + 0.533395123);
    assert.equal(parseDateTime('2024-02-29T00:00:00Z', utc), Date.UTC(2024, 1, 29) / 1000);
  });

  it('refuses what is not a date and time', () => {
    for (const text of ['2024-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-03-14T24:00:00Z', '2024-03-14T12:60:00Z', '2024-03-14', '2024-03-14T12:54:07.Z', '2024-03-14T12:54:07Zjunk', '2024-03-14T12:54:07+25:00', '14/03/2024 12:54:07', '']) {
      assert.equal(parseDateTime(text, utc), undefined, text);
    }
  });

  it('reads local times in the zone, across DST changes and odd offsets, back to the instant Intl shows them for', () => {
    for (const timeZone of ['Europe/Prague', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns']) {
      const clock = new ZoneClock(timeZone);
      const format = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
      for (let t = Date.UTC(2023, 0, 1) / 1000; t < Date.UTC(2025, 0, 1) / 1000; t += 7 * 3600 + 17) {
        const wall = format.format(new Date(t * 1000));
        const back = parseDateTime(`${wall}.25`, clock);
        assert.ok(back !== undefined, wall);
        // A wall time in the repeated hour after a fall-back names two instants; either is right.
        assert.equal(format.format(new Date(Math.floor(back) * 1000)), wall, `${timeZone} ${wall}`);
        assert.equal(back % 1, 0.25);
      }
    }
  });

  it('a time skipped by the spring-forward jump is read as shifted by the jump', () => {
    const prague = zoneClock('Europe/Prague');
    assert.equal(parseDateTime('2024-03-31 02:30:00', prague), Date.UTC(2024, 2, 31, 1, 30) / 1000);
    assert.equal(parseDateTime('2024-03-31 01:59:59', prague), Date.UTC(2024, 2, 31, 0, 59, 59) / 1000);
    assert.equal(parseDateTime('2024-03-31 03:00:00', prague), Date.UTC(2024, 2, 31, 1, 0) / 1000);
  });

  it('an unknown zone is refused with VALIDATION_FAILED', () => {
    assert.throws(() => zoneClock('Mars/Olympus_Mons'), (error: unknown) => error instanceof AppError && error.code === 'VALIDATION_FAILED' && error.message.includes('Mars/Olympus_Mons'));
  });
});

describe('fingerprints', () => {
  it('ids in order, a bar, vendor OUIs as six hex digits in order', () => {
    assert.equal(fingerprintOf([0, 1, 50, 3, 45, 127, 107, 221, 221, 221], ['00:17:F2', '0050f2', '00-10-18']), '0,1,50,3,45,127,107,221,221,221|0017f2,0050f2,001018');
    assert.equal(fingerprintOf([0, 1], []), '0,1|');
    assert.equal(fingerprintOf([], []), '|');
  });

  it('the lab CSV decimal OUIs convert to the same form', () => {
    assert.deepEqual([5271450, 6130, 20722, 4120].map(ouiFromNumber), ['506f9a', '0017f2', '0050f2', '001018']);
    assert.throws(() => ouiFromNumber(0x1000000), RangeError);
  });

  it('refuses what is not an IE id or an OUI', () => {
    assert.throws(() => fingerprintOf([256], []), RangeError);
    assert.throws(() => fingerprintOf([1.5], []), RangeError);
    for (const oui of ['0050f', '0050fz', '00:50:f2:01', '00:50-f2']) assert.throws(() => normaliseOui(oui), RangeError, oui);
  });

  it('summariseIes builds the same string as fingerprintOf', () => {
    const bytes = Buffer.from('0003616263010402040b16dd07506f9a16030103dd0400000000dd02aabb', 'hex');
    assert.deepEqual(summariseIes(bytes, 0, bytes.length), { fp: fingerprintOf([0, 1, 221, 221, 221], ['506f9a', '000000']), ssid: 'abc' });
  });
});
