import type { Request, Response } from 'express';
import type { FieldProblem } from '../../shared/errors.js';
import type { StaffUser } from '../../tenancy/index.js';

/** Small helpers shared by the organisation set-up pages (settings, staff, API keys). */

/** The signed-in owner (requireStaff ran first); orgId always comes from here, never from the request. */
export function ownerOf(res: Response): StaffUser {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff;
}

/** A route parameter as a string (a malformed id simply finds nothing). */
export function idParam(req: Request): string {
  const id: unknown = req.params.id;
  return typeof id === 'string' ? id : '';
}

/** The urlencoded body as text fields: anything that is not a string (absent, repeated) reads as ''. */
export function formFields(body: unknown): (name: string) => string {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return (name) => {
    const value = fields[name];
    return typeof value === 'string' ? value : '';
  };
}

/** A whole number stays a string otherwise, so the schema reports it against its own field. */
export const wholeNumber = (text: string): number | string => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text);

/** "2026-03-01 10:00 UTC": unambiguous for staff in any time zone. */
export function stamp(at: Date | null): { iso: string; text: string } | undefined {
  if (at === null) return undefined;
  const iso = at.toISOString();
  return { iso, text: `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` };
}

/** Zod's type messages, in words for a form field. */
function plainMessage(message: string): string {
  if (/expected number, received|expected int/.test(message)) return 'enter a whole number';
  if (/^Invalid option/.test(message)) return 'choose one of the options';
  const size = /^Too (big|small): expected (number|string) to (?:be|have) [<>]=(\d+)( characters)?/.exec(message);
  if (size) {
    if (size[1] === 'small' && size[2] === 'string' && size[3] === '1') return 'must not be empty';
    return `must be at ${size[1] === 'big' ? 'most' : 'least'} ${size[3] ?? ''}${size[4] ?? ''}`;
  }
  return message;
}

/**
 * details.fields ([{path, message}]) → one message per form field: `fieldOf`
 * names the field a schema path belongs to (undefined: the form as a whole).
 */
export function fieldErrors(fields: FieldProblem[] | undefined, fieldOf: (path: string) => string | undefined): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { path, message } of fields ?? []) {
    errors[fieldOf(path) ?? 'form'] ??= plainMessage(message);
  }
  if (Object.keys(errors).length === 0) errors.form = 'The form is not valid.';
  return errors;
}
