import { z } from 'zod';
import { isCountryCode } from './phone.js';
import { smsPolicySchema } from './verification/limits.js';

/** Per-organisation portal settings (PUT /api/v1/portal/settings). Every field has a safe default. */
export const portalOrgSettingsSchema = z.strictObject({
  /** ISO 3166 alpha-2 countries whose numbers may sign in; empty accepts every country. */
  allowedCountries: z
    .array(z.string().trim().toUpperCase().refine(isCountryCode, { message: 'expected an ISO 3166 country code such as GB' }))
    .max(250)
    .default([]),
  /** Country assumed for numbers typed without +: the first allowed country when unset. */
  defaultCountry: z.string().trim().toUpperCase().refine(isCountryCode, { message: 'expected an ISO 3166 country code such as GB' }).optional(),
  /** A device seen within this many days gets online again without a code. */
  recognitionDays: z.number().int().min(0).max(365).default(30),
  /** How long login records are kept (identification rules for public Wi-Fi). */
  loginRetentionDays: z.number().int().min(1).max(3650).default(183),
  /** Twilio Verify sends and checks the code; `own-code` sends our own code through the Messaging API. */
  verification: z.enum(['verify', 'own-code']).default('verify'),
  sms: smsPolicySchema.default({}),
  /** Version label stored with every consent; change it whenever the texts change. */
  consentVersion: z.string().trim().min(1).max(100).default('passby-default-1'),
  /** The organisation's CRM (loyalty lookups and profile pushes), signed with `crmSecret`. */
  crm: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, message: 'expected the CRM base URL, e.g. https://crm.example/passby' }),
    })
    .optional(),
});
export type PortalOrgSettings = z.output<typeof portalOrgSettingsSchema>;

export const portalOrgSettingsInputSchema = portalOrgSettingsSchema.extend({
  /** Write-only: sealed at rest, never returned. `null` removes it. */
  crmSecret: z.string().min(16, { message: 'must be at least 16 characters' }).max(500).nullable().optional(),
});

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'expected a colour such as #0a7d5a' });
const text = (max: number) => z.string().trim().max(max).optional();
const texts = z.strictObject({ title: text(80), welcome: text(500), terms: text(4000), smsMarketing: text(500), crmSharing: text(500) });

/** Per-venue portal settings (PUT /api/v1/venues/:id/portal): branding, texts, session limits. */
export const portalVenueSettingsSchema = z.strictObject({
  branding: z
    .strictObject({
      logoUrl: z.url({ protocol: /^https$/, message: 'expected an https:// image URL' }).optional(),
      primaryColour: colour.default('#0a7d5a'),
      backgroundColour: colour.default('#f6f7f8'),
      textColour: colour.default('#1d2327'),
    })
    .default({ primaryColour: '#0a7d5a', backgroundColour: '#f6f7f8', textColour: '#1d2327' }),
  texts: z.strictObject({ en: texts.optional(), ru: texts.optional() }).default({}),
  termsUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Where visitors go after sign-in when the gateway did not say where they were heading. */
  landingUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Offer a short loyalty sign-up form to visitors the CRM does not know. */
  loyaltyForm: z.boolean().default(false),
  session: z
    .strictObject({
      minutes: z.number().int().min(5).max(10080).default(1440),
      uploadKbps: z.number().int().min(0).max(10_000_000).optional(),
      downloadKbps: z.number().int().min(0).max(10_000_000).optional(),
      uploadQuotaKb: z.number().int().min(0).optional(),
      downloadQuotaKb: z.number().int().min(0).optional(),
    })
    .default({ minutes: 1440 }),
});
export type PortalVenueSettings = z.output<typeof portalVenueSettingsSchema>;

export const defaultOrgSettings = (): PortalOrgSettings => portalOrgSettingsSchema.parse({});
export const defaultVenueSettings = (): PortalVenueSettings => portalVenueSettingsSchema.parse({});
