import { LANGUAGES } from '../../portal/i18n.js';
import type { Venue } from '../../tenancy/index.js';
import type { FieldErrors } from './venue-form.js';
import { defaultTexts, TEXT_KEYS, textField, type PortalFormValues } from './venue-portal-form.js';
import { PREVIEW_PAGES, type PreviewOptions } from './venue-preview.js';

const TEXT_LABELS = { title: 'Page title', welcome: 'Welcome text', terms: 'Terms of use (consent)', smsMarketing: 'SMS marketing (consent)', crmSharing: 'Sharing with the loyalty programme (consent)' } as const;
/** The schema's limits, so the browser stops at the same length. */
const TEXT_MAX = { title: 80, welcome: 500, terms: 4000, smsMarketing: 500, crmSharing: 500 } as const;
const LANGUAGE_NAMES = { en: 'English', ru: 'Russian' } as const;
const PAGE_NAMES = { phone: 'Phone number', consent: 'Consent' } as const;

const COLOURS = [
  { name: 'primaryColour', label: 'Primary colour', hint: 'Buttons and links. White button text must stay readable on it.' },
  { name: 'backgroundColour', label: 'Background colour', hint: 'The page behind the form.' },
  { name: 'textColour', label: 'Text colour', hint: 'Headings and text: keep it dark on a light background.' },
];
const LINKS = [
  { name: 'termsUrl', label: 'Full terms of use (URL)', hint: 'Linked from the consent page as "Read the terms". Blank: no link.', type: 'url' },
  { name: 'landingUrl', label: 'Page after sign-in (URL)', hint: 'Where visitors go once online, when their device did not say where it was heading.', type: 'url' },
];
const SESSION = [
  { name: 'sessionMinutes', label: 'Session length (minutes)', hint: 'Visitors sign in again after this. 5 to 10080 (a week); default 1440 (a day).', type: 'number' },
  { name: 'downloadKbps', label: 'Download speed limit (kbit/s)', hint: 'Blank: no limit.', type: 'number' },
  { name: 'uploadKbps', label: 'Upload speed limit (kbit/s)', hint: 'Blank: no limit.', type: 'number' },
  { name: 'downloadQuotaKb', label: 'Download quota per session (kB)', hint: 'Blank: no quota.', type: 'number' },
  { name: 'uploadQuotaKb', label: 'Upload quota per session (kB)', hint: 'Blank: no quota.', type: 'number' },
];

/** The model the portal form renders from: colours, texts per language (with their defaults), links, session limits. */
export function portalModel(venue: Venue, form: PortalFormValues, errors: FieldErrors, options: PreviewOptions): Record<string, unknown> {
  const field = (name: string) => ({ id: name, value: form[name] ?? '', error: errors[name] });
  return {
    logo: field('logoUrl'),
    colours: COLOURS.map((meta) => ({ ...meta, ...field(meta.name) })),
    languages: LANGUAGES.map((lang) => {
      const defaults = defaultTexts(lang, venue.name);
      const texts = TEXT_KEYS.map((key) => ({ ...field(textField(lang, key)), label: TEXT_LABELS[key], max: TEXT_MAX[key], fallback: defaults[key], long: key !== 'title' }));
      // English is open; another language opens once it has texts of its own (or a problem to fix).
      const open = lang === 'en' || texts.some((t) => t.value !== '' || t.error !== undefined);
      return { lang, name: LANGUAGE_NAMES[lang], texts, open };
    }),
    links: LINKS.map((meta) => ({ ...meta, ...field(meta.name) })),
    session: SESSION.map((meta) => ({ ...meta, ...field(meta.name) })),
    loyaltyChecked: form.loyaltyForm === 'yes',
    previewPages: PREVIEW_PAGES.map((value) => ({ value, label: PAGE_NAMES[value], selected: value === options.page })),
    previewLangs: LANGUAGES.map((value) => ({ value, label: LANGUAGE_NAMES[value], selected: value === options.lang })),
    errors,
    hasErrors: Object.keys(errors).length > 0,
  };
}
