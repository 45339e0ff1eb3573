import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { calendarDaysBetween } from '../../../src/analytics/presence/local-day.js';
import { presenceEventId, presenceEventSchema } from '../../../src/analytics/presence/presence-event.js';
import { sightingsJobId, sightingsJobSchema } from '../../../src/analytics/presence/presence.jobs.js';

const identity = { orgId: randomUUID(), venueId: randomUUID(), zoneId: null, deviceHash: 'cd'.repeat(32), visitAnchor: 1_748_858_400.25 };
const event = {
  id: presenceEventId({ ...identity, type: 'presence.left' }),
  type: 'presence.left',
  orgId: identity.orgId,
  venueId: identity.venueId,
  zoneId: null,
  visitorId: randomUUID(),
  deviceHash: identity.deviceHash,
  occurredAt: '2025-06-02T10:10:00.000Z',
  visitStartedAt: '2025-06-02T10:00:00.000Z',
  durationSeconds: 600,
};

describe('presence event schema and ids', () => {
  it('accepts a well-formed event and refuses extra fields such as a MAC or a phone number', () => {
    assert.deepEqual(presenceEventSchema.parse(event), event);
    assert.equal(presenceEventSchema.safeParse({ ...event, mac: 'aa:bb:cc:dd:ee:ff' }).success, false);
    assert.equal(presenceEventSchema.safeParse({ ...event, phone: '+447700900123' }).success, false);
  });

  it('requires the detail each type carries', () => {
    assert.equal(presenceEventSchema.safeParse({ ...event, durationSeconds: undefined }).success, false, 'left without a duration');
    assert.equal(presenceEventSchema.safeParse({ ...event, type: 'presence.dwell', durationSeconds: undefined }).success, false, 'dwell without minutes');
    assert.equal(presenceEventSchema.safeParse({ ...event, type: 'presence.returned', durationSeconds: undefined, daysSinceLastVisit: 0 }).success, false);
    assert.equal(presenceEventSchema.safeParse({ ...event, type: 'presence.moved' }).success, false);
  });

  it('derives the id from the visit, the place, the type and the threshold only', () => {
    const left = presenceEventId({ ...identity, type: 'presence.left' });
    assert.equal(presenceEventId({ ...identity, type: 'presence.left' }), left);
    assert.match(left, /^[0-9a-f]{32}$/);
    const others = [
      presenceEventId({ ...identity, type: 'presence.entered' }),
      presenceEventId({ ...identity, type: 'presence.left', zoneId: randomUUID() }),
      presenceEventId({ ...identity, type: 'presence.left', visitAnchor: identity.visitAnchor + 0.25 }),
      presenceEventId({ ...identity, type: 'presence.dwell', dwellMinutes: 5 }),
      presenceEventId({ ...identity, type: 'presence.dwell', dwellMinutes: 15 }),
    ];
    assert.equal(new Set([left, ...others]).size, 6);
  });

  it('maps a batch to the same sightings job ids every time, valid as BullMQ custom ids', () => {
    const batch = { orgId: identity.orgId, venueId: identity.venueId, batchKey: 'sensor:batch-1' };
    assert.equal(sightingsJobId(batch, 0), sightingsJobId({ ...batch }, 0));
    assert.notEqual(sightingsJobId(batch, 0), sightingsJobId(batch, 1));
    assert.notEqual(sightingsJobId(batch, 0), sightingsJobId({ ...batch, batchKey: 'sensor:batch-2' }, 0));
    assert.doesNotMatch(sightingsJobId(batch, 0), /:/);
  });

  it('refuses a sightings job carrying a MAC instead of a device hash', () => {
    const job = { ...identity, zoneId: null, sensorId: randomUUID(), batchKey: 'k', sightings: [{ deviceHash: 'aa:bb:cc:dd:ee:ff', visitorId: randomUUID(), ts: 1, rssi: -50 }] };
    assert.equal(sightingsJobSchema.safeParse(job).success, false);
  });
});

describe('calendar days in the venue time zone', () => {
  const at = (iso: string): number => Date.parse(iso) / 1000;

  it('counts local dates, not 24-hour periods', () => {
    assert.equal(calendarDaysBetween(at('2025-06-02T22:59:00Z'), at('2025-06-02T23:01:00Z'), 'Europe/London'), 1);
    assert.equal(calendarDaysBetween(at('2025-06-02T22:59:00Z'), at('2025-06-02T23:01:00Z'), 'UTC'), 0);
    assert.equal(calendarDaysBetween(at('2025-06-02T08:00:00Z'), at('2025-06-03T07:00:00Z'), 'UTC'), 1);
  });

  it('is not thrown off by a daylight-saving change', () => {
    // London goes to summer time on 30 March 2025: that day has 23 hours.
    assert.equal(calendarDaysBetween(at('2025-03-29T12:00:00Z'), at('2025-03-31T12:00:00Z'), 'Europe/London'), 2);
    assert.equal(calendarDaysBetween(at('2025-03-30T00:30:00Z'), at('2025-03-30T23:30:00Z'), 'Europe/London'), 1);
  });
});
