import { format, LANGUAGES, messages, type Language } from '../../portal/i18n.js';
import type { PortalVenueSettings } from '../../portal/portal.settings.js';
import { problemsOf, type FieldErrors } from './venue-form.js';

export const TEXT_KEYS = ['title', 'welcome', 'terms', 'smsMarketing', 'crmSharing'] as const;
type TextKey = (typeof TEXT_KEYS)[number];
const COLOURS = ['primaryColour', 'backgroundColour', 'textColour'] as const;
const LIMITS = ['uploadKbps', 'downloadKbps', 'uploadQuotaKb', 'downloadQuotaKb'] as const;
const PLAIN = ['logoUrl', 'termsUrl', 'landingUrl', 'loyaltyForm', 'sessionMinutes', ...COLOURS, ...LIMITS] as const;

/** The form's field for one portal text: `en-title`, `ru-smsMarketing`, ... */
export const textField = (lang: Language, key: TextKey): string => `${lang}-${key}`;

/** Every field the portal form posts (and the preview reads from its query), flat so the urlencoded parser keeps them strings. */
export const PORTAL_FIELDS: readonly string[] = [...PLAIN, ...LANGUAGES.flatMap((lang) => TEXT_KEYS.map((key) => textField(lang, key)))];

export type PortalFormValues = Record<string, string>;

export function portalForm(settings: PortalVenueSettings): PortalFormValues {
  const { branding, session } = settings;
  const values: PortalFormValues = {
    primaryColour: branding.primaryColour,
    backgroundColour: branding.backgroundColour,
    textColour: branding.textColour,
    logoUrl: branding.logoUrl ?? '',
    termsUrl: settings.termsUrl ?? '',
    landingUrl: settings.landingUrl ?? '',
    loyaltyForm: settings.loyaltyForm ? 'yes' : '',
    sessionMinutes: String(session.minutes),
  };
  for (const key of LIMITS) values[key] = session[key] === undefined ? '' : String(session[key]);
  for (const lang of LANGUAGES) for (const key of TEXT_KEYS) values[textField(lang, key)] = settings.texts[lang]?.[key] ?? '';
  return values;
}

/**
 * The posted form. A field missing from the input takes its value from `base`
 * (the preview's query may carry only some drafts) or is blank (an unticked
 * checkbox sends nothing).
 */
export function readPortalForm(input: unknown, base?: PortalFormValues): PortalFormValues {
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const values: PortalFormValues = {};
  for (const name of PORTAL_FIELDS) {
    const value = source[name];
    values[name] = typeof value === 'string' ? value : (base?.[name] ?? '');
  }
  return values;
}

const present = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());
/** A non-numeric value stays a string, so the schema reports it against its field. */
const num = (value: string): number | string => (/^-?\d+$/.test(value.trim()) ? Number(value) : value);

function textsOf(form: PortalFormValues, lang: Language): Record<string, string> | undefined {
  const texts = Object.fromEntries(TEXT_KEYS.flatMap((key) => {
    const value = present(form[textField(lang, key)]);
    return value === undefined ? [] : [[key, value]];
  }));
  return Object.keys(texts).length > 0 ? texts : undefined;
}

/** The settings the form describes: blank texts and limits are left out, so the portal's defaults apply. */
export function portalInput(form: PortalFormValues): Record<string, unknown> {
  const optional = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });
  const session: Record<string, unknown> = { minutes: num(form.sessionMinutes ?? '') };
  for (const key of LIMITS) {
    const value = present(form[key]);
    if (value !== undefined) session[key] = num(value);
  }
  const texts: Record<string, unknown> = {};
  for (const lang of LANGUAGES) Object.assign(texts, optional(lang, textsOf(form, lang)));
  return {
    branding: {
      primaryColour: form.primaryColour?.trim(),
      backgroundColour: form.backgroundColour?.trim(),
      textColour: form.textColour?.trim(),
      ...optional('logoUrl', present(form.logoUrl)),
    },
    texts,
    ...optional('termsUrl', present(form.termsUrl)),
    ...optional('landingUrl', present(form.landingUrl)),
    loyaltyForm: form.loyaltyForm === 'yes',
    session,
  };
}

/** Schema paths ("branding.primaryColour", "texts.ru.title", "session.minutes") to the form's field names. */
function portalFieldOf(path: string): string {
  const [head = '', second = '', third = ''] = path.split('.');
  if (head === 'branding' && second) return second;
  if (head === 'texts' && second && third) return `${second}-${third}`;
  if (head === 'session') return second === 'minutes' ? 'sessionMinutes' : second;
  return head;
}

export function portalFieldErrors(fields: unknown): FieldErrors {
  const errors: FieldErrors = {};
  for (const { path, message } of problemsOf(fields)) {
    const field = portalFieldOf(path);
    errors[PORTAL_FIELDS.includes(field) ? field : 'portal'] ??= message;
  }
  if (Object.keys(errors).length === 0) errors.portal = 'The portal settings are not valid.';
  return errors;
}

/** The portal's own wording, shown as the default a blank field falls back to. */
export function defaultTexts(lang: Language, venueName: string): Record<TextKey, string> {
  const t = messages(lang);
  return {
    title: t.title,
    welcome: t.welcome,
    terms: t.terms,
    smsMarketing: format(t.smsMarketing, { venue: venueName }),
    crmSharing: format(t.crmSharing, { venue: venueName }),
  };
}

/** Did the owner change a text visitors consent to? Then the consent version should change too. */
export function consentTextsChanged(before: PortalVenueSettings, after: PortalVenueSettings): boolean {
  const keys = ['terms', 'smsMarketing', 'crmSharing'] as const;
  return LANGUAGES.some((lang) => keys.some((key) => (before.texts[lang]?.[key] ?? '') !== (after.texts[lang]?.[key] ?? ''))) || before.termsUrl !== after.termsUrl;
}
