import type { Request, Response } from 'express';
import { isAppError, type FieldProblem } from '../../shared/errors.js';
import type { Venue, Zone } from '../../tenancy/venue.repository.js';
import type { AdminDeps } from '../admin-deps.js';

/** Form helpers shared by the gateway and sensor set-up pages: both place a device in a venue and, optionally, a zone. */

export function orgOf(res: Response): string {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff.orgId;
}

/** A route parameter as a string (a malformed id simply finds nothing). */
export const idOf = (req: Request): string => {
  const id: unknown = req.params.id;
  return typeof id === 'string' ? id : '';
};

/** One urlencoded field as a string ('' when absent or repeated). */
export function textOf(body: unknown, key: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value: unknown = (body as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

/** "2026-03-01 10:00 UTC": unambiguous for staff in any time zone. */
export const shownTime = (at: Date): { iso: string; text: string } => {
  const iso = at.toISOString();
  return { iso, text: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` };
};

/** The organisation's venues and their zones: the choices of the placement fields and the names in the lists. */
export interface Places {
  venues: Venue[];
  zones: Zone[];
  venueName(id: string): string;
  zoneName(id: string | null): string;
}

export async function loadPlaces(deps: AdminDeps, orgId: string): Promise<Places> {
  const venues = await deps.services.venues.list(orgId);
  const zones = (await Promise.all(venues.map((v) => deps.services.venues.listZones(orgId, v.id)))).flat();
  const venueNames = new Map(venues.map((v) => [v.id, v.name]));
  const zoneNames = new Map(zones.map((z) => [z.id, z.name]));
  return {
    venues,
    zones,
    venueName: (id) => venueNames.get(id) ?? id,
    zoneName: (id) => (id === null ? '—' : (zoneNames.get(id) ?? id)),
  };
}

/** The venue select and the zone select (zones grouped by venue), with the chosen ones selected. */
export function placementChoices(places: Places, chosen: { venueId: string; zoneId: string }) {
  return {
    venues: places.venues.map((v) => ({ id: v.id, name: v.name, selected: v.id === chosen.venueId })),
    zoneGroups: places.venues
      .map((v) => ({
        venue: v.name,
        zones: places.zones.filter((z) => z.venueId === v.id).map((z) => ({ id: z.id, name: z.name, selected: z.id === chosen.zoneId })),
      }))
      .filter((group) => group.zones.length > 0),
  };
}

export type FieldErrors = Record<string, string>;

/**
 * What the select boxes can get wrong before the service is asked: no venue
 * chosen, or a zone of another venue. Ids the organisation does not have are
 * left to the service (404, like the API).
 */
export function placementErrors(places: Places, chosen: { venueId: string; zoneId: string }): FieldErrors {
  if (chosen.venueId === '') return { venueId: 'Choose the venue the device is in.' };
  const zone = places.zones.find((z) => z.id === chosen.zoneId);
  if (zone && zone.venueId !== chosen.venueId) return { zoneId: `This zone is in ${places.venueName(zone.venueId)}, not in the venue chosen above.` };
  return {};
}

/**
 * A VALIDATION_FAILED error's fields ([{path, message}]) → one message per
 * form field; a problem on no known field goes to "form". Any other error is
 * rethrown for the error handler.
 */
export function fieldErrorsOf(error: unknown, fields: readonly string[]): FieldErrors {
  if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
  const problems: FieldProblem[] = error.details?.fields ?? [{ path: '', message: error.message }];
  const errors: FieldErrors = {};
  for (const problem of problems) {
    const head = problem.path.split('.')[0] ?? '';
    const field = fields.includes(head) ? head : 'form';
    errors[field] ??= problem.message;
  }
  return errors;
}

export const hasErrors = (errors: FieldErrors): boolean => Object.keys(errors).length > 0;

