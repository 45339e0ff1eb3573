import { z } from 'zod';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { AppError, type FieldProblem } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { validate } from '../../shared/validate.js';
import { triggerEventSchema, type TriggerEvent } from '../trigger-event.js';
import { unknownVenues, unknownVisitors, unknownZones } from './event-refs.repository.js';

/**
 * `POST /events`: events other systems inject (a purchase, a loyalty sign-up).
 * The organisation comes from the API key, the source is "api"; an id the
 * caller gives is the idempotency key (one is made up otherwise).
 */
export const MAX_EVENTS_PER_REQUEST = 500;

const shape = triggerEventSchema.shape;
const { orgId: _orgId, source: _source, ...apiShape } = shape;
/** One event as the API takes it: no orgId or source; id, occurredAt, zoneId and visitorId optional. */
export const apiEventSchema = z.strictObject({
  ...apiShape,
  id: shape.id.optional(),
  occurredAt: shape.occurredAt.optional(),
  zoneId: shape.zoneId.optional(),
  visitorId: shape.visitorId.optional(),
});

const batchSchema = z.strictObject({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_REQUEST) });

export interface EventIntakeDeps {
  db: Db;
  clock: Clock;
  publish: (event: TriggerEvent) => Promise<void>;
}

export class EventIntake {
  constructor(private readonly deps: EventIntakeDeps) {}

  async accept(orgId: string, body: unknown): Promise<{ accepted: number; events: { id: string }[] }> {
    const isBatch = typeof body === 'object' && body !== null && 'events' in body;
    const raw = isBatch ? validate(batchSchema, body).events : [body];
    const now = this.deps.clock.now().toISOString();
    const events = raw.map((item, i) => {
      const prefix = isBatch ? `events.${i}` : undefined;
      const input = validate(apiEventSchema, item, prefix);
      const complete = { ...input, id: input.id ?? newId(), occurredAt: input.occurredAt ?? now, zoneId: input.zoneId ?? null, visitorId: input.visitorId ?? null, orgId, source: 'api' };
      return validate(triggerEventSchema, complete, prefix);
    });
    await this.checkReferences(orgId, events, isBatch);
    await Promise.all(events.map((e) => this.deps.publish(e)));
    return { accepted: events.length, events: events.map((e) => ({ id: e.id })) };
  }

  /** Venue, zone and visitor must be this organisation's (and the zone the venue's). */
  private async checkReferences(orgId: string, events: TriggerEvent[], isBatch: boolean): Promise<void> {
    const { db } = this.deps;
    const venues = await unknownVenues(db, orgId, events.map((e) => e.venueId));
    const visitors = await unknownVisitors(db, orgId, events.flatMap((e) => (e.visitorId === null ? [] : [e.visitorId])));
    const zones = await this.unknownZonePairs(orgId, events.filter((e) => !venues.has(e.venueId)));
    const problems: FieldProblem[] = [];
    const path = (i: number, field: string): string => (isBatch ? `events.${i}.${field}` : field);
    for (const [i, e] of events.entries()) {
      if (venues.has(e.venueId)) problems.push({ path: path(i, 'venueId'), message: 'no such venue in this organisation' });
      if (e.zoneId !== null && zones.has(`${e.venueId}|${e.zoneId}`)) problems.push({ path: path(i, 'zoneId'), message: 'no such zone in this venue' });
      if (e.visitorId !== null && visitors.has(e.visitorId)) problems.push({ path: path(i, 'visitorId'), message: 'no such visitor in this organisation' });
    }
    if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { fields: problems });
  }

  /** "venue|zone" pairs naming a zone that is not the venue's; one query per venue. */
  private async unknownZonePairs(orgId: string, events: TriggerEvent[]): Promise<Set<string>> {
    const byVenue = new Map<string, string[]>();
    for (const e of events) if (e.zoneId !== null) byVenue.set(e.venueId, [...(byVenue.get(e.venueId) ?? []), e.zoneId]);
    const unknown = new Set<string>();
    for (const [venueId, zoneIds] of byVenue) {
      for (const zoneId of await unknownZones(this.deps.db, orgId, venueId, zoneIds)) unknown.add(`${venueId}|${zoneId}`);
    }
    return unknown;
  }
}
