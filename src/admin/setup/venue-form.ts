import { DAYS } from '../../tenancy/tenancy.schemas.js';
import type { Venue } from '../../tenancy/index.js';

/** What the venue details form posts (urlencoded: every value a string); opening hours as `hours-mon` ... `hours-sun`. */
export interface VenueFormValues {
  name: string;
  timezone: string;
  address: string;
  hours: Record<(typeof DAYS)[number], string>;
}

export type FieldErrors = Record<string, string>;

const DAY_NAMES: Record<(typeof DAYS)[number], string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

const emptyHours = (): VenueFormValues['hours'] => ({ mon: '', tue: '', wed: '', thu: '', fri: '', sat: '', sun: '' });

export const stringField = (body: unknown, key: string): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
};

export const newVenueForm = (timezone: string): VenueFormValues => ({ name: '', timezone, address: '', hours: emptyHours() });

/** "09:00-17:30, 18:00-22:00" per day; a closed day (no key or no intervals) is blank. */
export function venueForm(venue: Venue): VenueFormValues {
  const hours = emptyHours();
  for (const day of DAYS) hours[day] = (venue.openingHours[day] ?? []).map(([open, close]) => `${open}-${close}`).join(', ');
  return { name: venue.name, timezone: venue.timezone, address: venue.address, hours };
}

export function readVenueForm(body: unknown): VenueFormValues {
  const hours = emptyHours();
  for (const day of DAYS) hours[day] = stringField(body, `hours-${day}`);
  return { name: stringField(body, 'name'), timezone: stringField(body, 'timezone'), address: stringField(body, 'address'), hours };
}

const INTERVAL = /^(\d{1,2})[:.]?(\d{2})\s*[-–—]\s*(\d{1,2})[:.]?(\d{2})$/;
const pad = (hh: string, mm: string): string => `${hh.padStart(2, '0')}:${mm}`;
const HOURS_HINT = 'write times as 09:00-17:30, with a comma between intervals (or leave blank when closed)';

/**
 * The text syntax to the schema's intervals. Anything that is not an interval
 * is reported against its day here; the schema then checks the times themselves
 * (valid clock times, opening before closing, at most six intervals).
 */
export function parseHours(form: VenueFormValues): { openingHours: Record<string, string[][]>; errors: FieldErrors } {
  const openingHours: Record<string, string[][]> = {};
  const errors: FieldErrors = {};
  for (const day of DAYS) {
    const text = form.hours[day].trim();
    if (text === '' || /^closed$/i.test(text)) continue;
    const intervals: string[][] = [];
    for (const part of text.split(/[,;]/).map((p) => p.trim()).filter((p) => p !== '')) {
      const m = INTERVAL.exec(part);
      if (!m) {
        errors[`hours-${day}`] = `“${part}” is not an interval: ${HOURS_HINT}`;
        break;
      }
      intervals.push([pad(m[1] ?? '', m[2] ?? ''), pad(m[3] ?? '', m[4] ?? '')]);
    }
    openingHours[day] = intervals;
  }
  return { openingHours, errors };
}

/** The input the venue service validates. */
export function venueInput(form: VenueFormValues, openingHours: Record<string, string[][]>): Record<string, unknown> {
  return { name: form.name, timezone: form.timezone, address: form.address, openingHours };
}

const DETAIL_FIELDS = new Set(['name', 'timezone', 'address']);

function detailsFieldOf(path: string): string {
  const [head = '', day] = path.split('.');
  if (head === 'openingHours' && day) return `hours-${day}`;
  return DETAIL_FIELDS.has(head) ? head : 'form';
}

/** Schema paths ("openingHours.mon.0", "timezone") to the form's field names; anything else to "form". */
export function venueFieldErrors(fields: unknown): FieldErrors {
  const errors: FieldErrors = {};
  for (const { path, message } of problemsOf(fields)) errors[detailsFieldOf(path)] ??= message;
  if (Object.keys(errors).length === 0) errors.form = 'The venue is not valid.';
  return errors;
}

/** AppError details.fields as plain {path, message} pairs. */
export function problemsOf(fields: unknown): { path: string; message: string }[] {
  const list = Array.isArray(fields) ? (fields as unknown[]) : [];
  return list.map((item) => {
    const { path, message } = (typeof item === 'object' && item !== null ? item : {}) as { path?: unknown; message?: unknown };
    return { path: typeof path === 'string' ? path : '', message: typeof message === 'string' ? message : 'invalid' };
  });
}

/** Every IANA zone the runtime knows, with the current one kept even if the runtime lists it under another name. */
export function timezoneOptions(current: string): { value: string; selected: boolean }[] {
  const zones = Intl.supportedValuesOf('timeZone');
  const all = zones.includes(current) || current === '' ? zones : [current, ...zones];
  return all.map((value) => ({ value, selected: value === current }));
}

/** The model the details form renders from: one row per weekday with its value and error. */
export function venueFormModel(form: VenueFormValues, errors: FieldErrors): Record<string, unknown> {
  return {
    form,
    errors,
    hasErrors: Object.keys(errors).length > 0,
    timezones: timezoneOptions(form.timezone),
    days: DAYS.map((day) => ({ id: `hours-${day}`, label: DAY_NAMES[day], value: form.hours[day], error: errors[`hours-${day}`] })),
  };
}
