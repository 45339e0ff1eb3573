import type { Request, Response } from 'express';
import { isAppError } from '../../shared/errors.js';
import { requireStaff } from '../../staff/index.js';
import type { Venue } from '../../tenancy/index.js';

/** Venue set-up is for owners only; other roles see the venues on the home page and their dashboards. */
export const owners = requireStaff('owner');

/** The organisation always comes from the session, never from the request. */
export function orgOf(res: Response): string {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff.orgId;
}

/** A route parameter as a string (a malformed id simply finds nothing). */
export const paramOf = (req: Request, name: string): string => {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
};

/** The `done` query flag after a redirect, turned into the sentence shown at the top of the page. */
export function noticeOf(req: Request, notices: Record<string, string>): string | undefined {
  const done = req.query.done;
  return typeof done === 'string' ? notices[done] : undefined;
}

/** Lets a validation error through to the form; anything else goes to the one error handler. */
export function validationFields(error: unknown, codes: readonly string[] = ['VALIDATION_FAILED']): unknown[] {
  if (!isAppError(error) || !codes.includes(error.code)) throw error;
  return error.details?.fields ?? [];
}

const SECTIONS = [
  { path: 'settings', label: 'Settings' },
  { path: 'zones', label: 'Zones' },
  { path: 'portal', label: 'Portal' },
  { path: 'dashboard', label: 'Dashboard' },
] as const;

/** The links between one venue's set-up pages, the current one marked for assistive technology. */
export function venueNav(venue: Venue, current: (typeof SECTIONS)[number]['path']): { href: string; label: string; current: boolean }[] {
  return SECTIONS.map(({ path, label }) => ({ href: `/admin/venues/${venue.id}/${path}`, label, current: path === current }));
}
