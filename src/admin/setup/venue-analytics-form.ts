import type { VenueAnalyticsSettings } from '../../analytics/index.js';
import { problemsOf, stringField, type FieldErrors } from './venue-form.js';

type Key = keyof VenueAnalyticsSettings;

/** Each classification setting with what it means, in the words an owner uses. */
const FIELDS: { key: Key; label: string; hint: string }[] = [
  {
    key: 'visitorRssi',
    label: 'Signal strength that counts as inside (dBm)',
    hint: 'A phone heard at this strength or stronger is inside the venue. Closer to 0 is stronger: -60 keeps to a smaller area than -75. From -100 to -20; default -70.',
  },
  {
    key: 'visitorMinDwellSeconds',
    label: 'Time inside before a passer-by becomes a visitor (seconds)',
    hint: 'How long a phone must stay at the strong signal to count as a visitor. From 30 to 3600; default 300 (5 minutes).',
  },
  {
    key: 'sessionTimeoutSeconds',
    label: 'Silence that ends a visit (seconds)',
    hint: 'A phone not heard for this long has left: its next appearance is a new visit. From 60 to 10800; default 900 (15 minutes).',
  },
  {
    key: 'minVisitSeconds',
    label: 'Shortest visit (seconds)',
    hint: 'Stays shorter than this are not counted as visits at all. From 0 to 600; default 60.',
  },
  {
    key: 'bounceSeconds',
    label: 'Bounce when shorter than (seconds)',
    hint: 'Visits shorter than this count as bounces on the dashboard. From 60 to 3600; default 300 (5 minutes).',
  },
  {
    key: 'dwellThresholdsMinutes',
    label: 'Dwell marks (minutes, comma-separated)',
    hint: 'Rules on "stayed a number of minutes" can fire as a visitor passes each mark, once per visit. Up to 10 marks; default 5, 15, 30.',
  },
];

export type AnalyticsFormValues = Record<Key, string>;

export function analyticsForm(settings: VenueAnalyticsSettings): AnalyticsFormValues {
  const values = {} as AnalyticsFormValues;
  for (const { key } of FIELDS) {
    const value = settings[key];
    values[key] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return values;
}

export function readAnalyticsForm(body: unknown): AnalyticsFormValues {
  const values = {} as AnalyticsFormValues;
  for (const { key } of FIELDS) values[key] = stringField(body, key);
  return values;
}

/** A blank or non-numeric value stays a string, so the schema reports it against its field. */
const num = (value: string): number | string => (/^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value);

/** The settings the form describes; the analytics settings service validates them. */
export function analyticsInput(form: AnalyticsFormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const { key } of FIELDS) {
    input[key] =
      key === 'dwellThresholdsMinutes'
        ? form[key].split(',').map((part) => part.trim()).filter((part) => part !== '').map(num)
        : num(form[key]);
  }
  return input;
}

export function analyticsFieldErrors(fields: unknown): FieldErrors {
  const errors: FieldErrors = {};
  for (const { path, message } of problemsOf(fields)) {
    const [head = ''] = path.split('.');
    errors[FIELDS.some((f) => f.key === head) ? head : 'analytics'] ??= message;
  }
  if (Object.keys(errors).length === 0) errors.analytics = 'The analytics settings are not valid.';
  return errors;
}

export function analyticsFormModel(form: AnalyticsFormValues, errors: FieldErrors): Record<string, unknown> {
  return {
    analyticsFields: FIELDS.map(({ key, label, hint }) => ({ id: key, label, hint, numeric: key !== 'dwellThresholdsMinutes', value: form[key], error: errors[key] })),
    analyticsError: errors.analytics,
    analyticsHasErrors: Object.keys(errors).length > 0,
  };
}
