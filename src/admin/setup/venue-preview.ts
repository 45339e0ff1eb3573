import type { FlowState } from '../../portal/flow.store.js';
import { isLanguage, type Language } from '../../portal/i18n.js';
import { presentStep } from '../../portal/portal.presenter.js';
import { portalVenueSettingsSchema, type PortalVenueSettings } from '../../portal/portal.settings.js';
import { PORTAL_FIELDS, portalForm, portalInput, readPortalForm, type PortalFormValues } from './venue-portal-form.js';

/**
 * The portal page's own policy (external https logos load, as they do for
 * visitors), except that only the admin app may frame it and its forms go
 * nowhere: the preview has no flow to sign in to.
 */
export const PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

export const PREVIEW_PAGES = ['phone', 'consent'] as const;
export type PreviewPage = (typeof PREVIEW_PAGES)[number];

/** Query strings longer than this risk the server's header limit: long terms texts then come from the saved settings. */
const MAX_QUERY = 6000;

export interface PreviewOptions {
  page: PreviewPage;
  lang: Language;
}

export function previewOptions(input: unknown): PreviewOptions {
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const page = PREVIEW_PAGES.find((p) => p === source.previewPage) ?? 'phone';
  return { page, lang: isLanguage(source.previewLang) ? source.previewLang : 'en' };
}

/** The iframe's address for a draft: every form field plus the page and language shown. */
export function previewSrc(venueId: string, form: PortalFormValues | undefined, options: PreviewOptions): string {
  const base = `/admin/venues/${venueId}/portal/preview`;
  const params = new URLSearchParams({ previewPage: options.page, previewLang: options.lang });
  if (!form) return `${base}?${params.toString()}`;
  const withDrafts = (skipTerms: boolean) => {
    const query = new URLSearchParams(params);
    for (const name of PORTAL_FIELDS) if (!(skipTerms && name.endsWith('-terms'))) query.set(name, form[name] ?? '');
    return query.toString();
  };
  const full = withDrafts(false);
  return `${base}?${full.length <= MAX_QUERY ? full : withDrafts(true)}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (isRecord(node) ? node[String(key)] : undefined), root);
}

/** Puts `value` at `path` in `root` (creating objects on the way); `undefined` removes the key. */
function putAt(root: Record<string, unknown>, path: readonly PropertyKey[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[String(key)];
    if (!isRecord(next)) node[String(key)] = {};
    node = node[String(key)] as Record<string, unknown>;
  }
  const last = String(path.at(-1));
  if (value === undefined) Reflect.deleteProperty(node, last);
  else node[last] = value;
}

/**
 * The draft from the request, checked with the same schema a save uses. Each
 * invalid value falls back to the saved one, so a half-typed colour or URL does
 * not blank the whole preview.
 */
export function draftSettings(input: unknown, saved: PortalVenueSettings): PortalVenueSettings {
  const draft = portalInput(readPortalForm(input, portalForm(saved)));
  const first = portalVenueSettingsSchema.safeParse(draft);
  if (first.success) return first.data;
  for (const issue of first.error.issues) putAt(draft, issue.path, valueAt(saved, issue.path));
  const second = portalVenueSettingsSchema.safeParse(draft);
  return second.success ? second.data : saved;
}

/** The real portal page (template and model from the portal's presenter) for a flow that exists only here. */
export function previewPage(venue: { orgId: string; id: string; name: string }, settings: PortalVenueSettings, options: PreviewOptions, switchUrl: string) {
  const flow: FlowState = {
    id: 'preview',
    csrf: 'preview',
    orgId: venue.orgId,
    venueId: venue.id,
    gatewayId: 'preview',
    client: { mac: '', ip: undefined, ssid: undefined, originUrl: undefined, handle: {} },
    deviceHash: '',
    randomisedMac: false,
    language: options.lang,
    step: options.page,
    createdAt: new Date(0).toISOString(),
  };
  const { view, model } = presentStep({ flow, venueName: venue.name, venue: settings });
  return { view, model: { ...model, switchUrl } };
}
