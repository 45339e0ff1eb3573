import type { ErrorCode } from '../shared/errors.js';
import type { FlowState } from './flow.store.js';
import { errorMessage, format, messages, type Language } from './i18n.js';
import type { PortalVenueSettings } from './portal.settings.js';

export interface PageContext {
  flow: FlowState;
  venueName: string;
  venue: PortalVenueSettings;
  error?: { code: ErrorCode; details?: Record<string, unknown> };
  devCode?: string;
  /** The phone typed before an error, so the visitor does not retype it. */
  typedPhone?: string;
}

const PLACEHOLDER: Record<Language, string> = { en: '+44 7400 123456', ru: '+7 912 345-67-89' };

/** Pure: the Handlebars model for the flow's current step (template name and data). */
export function presentStep(ctx: PageContext): { view: string; model: Record<string, unknown> } {
  const { flow, venue } = ctx;
  const lang = flow.language;
  const t = messages(lang);
  const own = venue.texts[lang] ?? {};
  const other: Language = lang === 'en' ? 'ru' : 'en';
  const base = `/portal/f/${flow.id}`;
  const model: Record<string, unknown> = {
    layout: 'portal',
    t,
    brand: venue.branding,
    venueName: ctx.venueName,
    title: own.title ?? t.title,
    welcome: own.welcome ?? t.welcome,
    flowId: flow.id,
    csrf: flow.csrf,
    switchUrl: `${base}?lang=${other}`,
    switchLang: other,
    error: ctx.error ? describeError(lang, ctx.error) : undefined,
  };
  switch (flow.step) {
    case 'welcome-back':
      return { view: 'portal/welcome-back', model: { ...model, welcomeBack: format(t.welcomeBack, { phone: flow.knownPhone ?? '' }) } };
    case 'phone':
      return {
        view: 'portal/phone',
        model: { ...model, phone: ctx.typedPhone, phonePlaceholder: PLACEHOLDER[lang], privateAddress: flow.randomisedMac },
      };
    case 'code':
      return { view: 'portal/code', model: { ...model, codeSent: format(t.codeSent, { phone: flow.phone ?? '' }), devCode: ctx.devCode && format(t.devCode, { code: ctx.devCode }) } };
    case 'consent':
      return {
        view: 'portal/consent',
        model: {
          ...model,
          termsText: own.terms ?? t.terms,
          termsUrl: venue.termsUrl,
          smsMarketingText: own.smsMarketing ?? format(t.smsMarketing, { venue: ctx.venueName }),
          crmSharingText: own.crmSharing ?? format(t.crmSharing, { venue: ctx.venueName }),
        },
      };
    case 'loyalty':
      return { view: 'portal/loyalty', model: { ...model, loyalty: { name: '', birthday: '', gender: '', ...flow.loyalty } } };
    case 'pending':
      return { view: 'portal/pending', model: { ...model, refreshUrl: base } };
    case 'online':
      return { view: 'portal/online', model: { ...model, switchUrl: undefined, continueUrl: flow.continueUrl } };
  }
}

function describeError(lang: Language, error: NonNullable<PageContext['error']>): string {
  const t = messages(lang);
  const parts = [errorMessage(lang, error.code)];
  const retry = error.details?.retryAfterSeconds;
  if (typeof retry === 'number') parts.push(format(t.retryIn, { seconds: Math.ceil(retry) }));
  const left = error.details?.attemptsLeft;
  if (typeof left === 'number') parts.push(format(t.attemptsLeft, { n: left }));
  return parts.join(' ');
}

export function presentError(lang: Language, code: ErrorCode, requestId: string): Record<string, unknown> {
  const t = messages(lang);
  return {
    layout: 'portal',
    t,
    brand: { primaryColour: '#0a7d5a', backgroundColour: '#f6f7f8', textColour: '#1d2327' },
    venueName: t.title,
    title: t.errorHeading,
    message: errorMessage(lang, code),
    requestId,
  };
}

export function presentStart(lang: Language, venueName: string, venue: PortalVenueSettings): Record<string, unknown> {
  const t = messages(lang);
  const own = venue.texts[lang] ?? {};
  return { layout: 'portal', t, brand: venue.branding, venueName, title: own.title ?? t.title, welcome: own.welcome ?? t.welcome };
}
