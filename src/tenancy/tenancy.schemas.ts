import { z } from 'zod';

export const ROLES = ['owner', 'marketer', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const timezoneSchema = z.string().trim().refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/London' });

const clockTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: 'expected HH:MM (00:00 to 24:00)' });
// Overnight opening is two intervals: fri 18:00-24:00 and sat 00:00-02:00.
const interval = z
  .tuple([clockTime, clockTime])
  .refine(([open, close]) => open < close, { message: 'opening time must be before closing time' });
const day = z.array(interval).max(6);

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const openingHoursSchema = z.strictObject(Object.fromEntries(DAYS.map((d) => [d, day.optional()])) as Record<(typeof DAYS)[number], z.ZodOptional<typeof day>>);
export type OpeningHours = z.output<typeof openingHoursSchema>;

export const nameSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(200);

export const venueInputSchema = z.strictObject({
  name: nameSchema,
  timezone: timezoneSchema,
  address: z.string().trim().max(500).default(''),
  openingHours: openingHoursSchema.default({}),
});

export const venuePatchSchema = z
  .strictObject({
    name: nameSchema,
    timezone: timezoneSchema,
    address: z.string().trim().max(500),
    openingHours: openingHoursSchema,
  })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'nothing to change' });
export type VenuePatch = z.output<typeof venuePatchSchema>;

export const zoneInputSchema = z.strictObject({ name: nameSchema });

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: 'expected an email address' }));

export const staffUserInputSchema = z.strictObject({
  email: emailSchema,
  name: z.string().trim().max(200).default(''),
  role: z.enum(ROLES),
  password: z.string().min(10, { message: 'must be at least 10 characters' }).max(200).optional(),
});

/** Changing a staff user's role (the admin staff page). */
export const staffRoleInputSchema = z.strictObject({ role: z.enum(ROLES, { message: 'expected owner, marketer or analyst' }) });
