import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeCursor, encodeCursor, page } from '../../../src/triggers/engine/cursor.js';
import { attemptsThisRun } from '../../../src/triggers/engine/delivery.service.js';
import { smsRetryDelay, webhookRetryDelay } from '../../../src/triggers/engine/retry.js';
import { countsVisit, isNewVisit, visitMark } from '../../../src/triggers/engine/visit-key.js';
import type { TriggerEvent } from '../../../src/triggers/trigger-event.js';

const SCHEDULE = [5_000, 300_000, 1_800_000];

describe('webhook retry schedule', () => {
  it('follows the schedule with at most ±10 % jitter, then gives up', () => {
    assert.equal(webhookRetryDelay(1, SCHEDULE, undefined, 0), 4_500);
    assert.equal(webhookRetryDelay(1, SCHEDULE, undefined, 1), 5_500);
    assert.equal(webhookRetryDelay(2, SCHEDULE, undefined, 0.5), 300_000);
    assert.equal(webhookRetryDelay(3, SCHEDULE, undefined, 0.5), 1_800_000);
    assert.equal(webhookRetryDelay(4, SCHEDULE, undefined, 0.5), undefined);
    assert.equal(webhookRetryDelay(0, SCHEDULE, undefined, 0.5), undefined);
  });

  it('waits at least as long as Retry-After asks, within a day', () => {
    assert.equal(webhookRetryDelay(1, SCHEDULE, 60_000, 0.5), 60_000);
    assert.equal(webhookRetryDelay(2, SCHEDULE, 60_000, 0.5), 300_000);
    assert.equal(webhookRetryDelay(1, SCHEDULE, 10 * 86_400_000, 0.5), 86_400_000);
  });
});

describe('SMS retries', () => {
  it('allows three attempts with exponential backoff', () => {
    assert.equal(smsRetryDelay(1, 0.5), 5_000);
    assert.equal(smsRetryDelay(2, 0.5), 10_000);
    assert.equal(smsRetryDelay(3, 0.5), undefined);
  });
});

describe('attempts in the current run', () => {
  it('counts attempts since the last replay', () => {
    const a = (outcome: string) => ({ at: '2025-01-01T00:00:00.000Z', outcome });
    assert.equal(attemptsThisRun([]), 0);
    assert.equal(attemptsThisRun([a('retry'), a('retry')]), 2);
    assert.equal(attemptsThisRun([a('retry'), a('retry'), a('replayed'), a('retry')]), 1);
    assert.equal(attemptsThisRun([a('retry'), a('replayed')]), 0);
  });
});

describe('log cursors', () => {
  it('round-trips and refuses anything else', () => {
    const cursor = { at: new Date('2025-06-01T10:00:00.123Z'), id: randomUUID() };
    assert.deepEqual(decodeCursor(encodeCursor(cursor)), cursor);
    assert.throws(() => decodeCursor('bm9wZQ'), { code: 'VALIDATION_FAILED' });
  });

  it('pages with a cursor only when more rows follow', () => {
    const rows = [1, 2, 3].map((i) => ({ id: randomUUID(), at: new Date(Date.UTC(2025, 0, i)) }));
    const first = page(rows, 2, (r) => r.at);
    assert.equal(first.items.length, 2);
    assert.deepEqual(decodeCursor(first.nextCursor ?? ''), { at: rows[1]?.at, id: rows[1]?.id });
    assert.equal(page(rows, 3, (r) => r.at).nextCursor, undefined);
  });
});

describe('visit counting keys', () => {
  const base: TriggerEvent = {
    id: 'e1',
    type: 'presence.entered',
    orgId: randomUUID(),
    venueId: randomUUID(),
    zoneId: null,
    visitorId: randomUUID(),
    occurredAt: '2025-06-02T09:01:00.000Z',
    visitStartedAt: '2025-06-02T09:00:00.000Z',
    source: 'presence',
  };
  const TZ = 'Europe/London';

  it('counts entered and returned of one visit once, and only visit-opening events', () => {
    const entered = visitMark(base, TZ);
    const returned = visitMark({ ...base, type: 'presence.returned', daysSinceLastVisit: 3 }, TZ);
    assert.ok(entered && returned);
    assert.equal(isNewVisit(entered, undefined, TZ), true);
    assert.equal(isNewVisit(returned, entered, TZ), false);
    const dwell = visitMark({ ...base, type: 'presence.dwell', dwellMinutes: 5 }, TZ);
    assert.equal(dwell?.key, entered.key);
    assert.equal(countsVisit({ ...base, type: 'presence.dwell', dwellMinutes: 5 }), false);
    assert.equal(countsVisit({ ...base, zoneId: randomUUID() }), false, 'zone visits are not venue visits');
    assert.equal(countsVisit(base), true);
    assert.equal(visitMark({ ...base, visitorId: null }, TZ), undefined);
  });

  it('counts a later visit, not an older one arriving late', () => {
    const first = visitMark(base, TZ);
    const later = visitMark({ ...base, visitStartedAt: '2025-06-02T15:00:00.000Z' }, TZ);
    assert.ok(first && later);
    assert.equal(isNewVisit(later, first, TZ), true);
    assert.equal(isNewVisit(first, later, TZ), false);
  });

  it('counts a login without a visit start once per local day, and not on a day a presence visit counted', () => {
    const login = { ...base, type: 'portal.login' as const, visitStartedAt: undefined, occurredAt: '2025-06-02T12:00:00.000Z' };
    const morning = visitMark(base, TZ);
    const noon = visitMark(login, TZ);
    const evening = visitMark({ ...login, occurredAt: '2025-06-02T20:00:00.000Z' }, TZ);
    // 23:30 UTC on the 2nd is 00:30 on the 3rd in London (BST).
    const nextDay = visitMark({ ...login, occurredAt: '2025-06-02T23:30:00.000Z' }, TZ);
    assert.ok(morning && noon && evening && nextDay);
    assert.equal(isNewVisit(noon, morning, TZ), false);
    assert.equal(isNewVisit(evening, noon, TZ), false);
    assert.equal(isNewVisit(nextDay, noon, TZ), true);
  });
});
