import type { Request, Response } from 'express';

/** The signed-in staff member's organisation: the only tenant these pages ever read. */
export function orgIdOf(res: Response): string {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff.orgId;
}

/** The venue id from the path (a malformed one simply finds nothing). */
export function venueIdOf(req: Request): string {
  const id = req.params.venueId;
  return typeof id === 'string' ? id : '';
}
