import type { PortalOrgSettings } from '../../portal/portal.settings.js';
import type { SmsPolicy } from '../../portal/verification/limits.js';
import type { FieldProblem } from '../../shared/errors.js';
import type { TriggerSettings } from '../../triggers/rules/rule.schema.js';
import { fieldErrors, formFields, wholeNumber } from './staff-context.js';

/**
 * The settings page's three forms (portal, consent, marketing messages): what
 * they post (urlencoded, every value a string), the service input each one
 * makes, and where a schema path's message goes.
 */
export type FormValues = Record<string, string>;

/** The SMS policy, one field each, with what it means to an owner. */
export const SMS_FIELDS: readonly { key: keyof SmsPolicy; label: string; meaning: string }[] = [
  { key: 'resendCooldownSeconds', label: 'Wait before another code (seconds)', meaning: 'How long the same sign-in or the same number waits before another code can be sent.' },
  { key: 'perPhonePerDay', label: 'Codes per phone number per day', meaning: 'Stops one number being flooded with codes.' },
  { key: 'perDevicePerDay', label: 'Codes per device per day', meaning: 'Stops one phone or laptop asking for codes for many numbers.' },
  {
    key: 'perIpPerDay',
    label: 'Codes per network address per day',
    meaning: "Guests behind a venue's router share one address: keep this high where they reach the portal through one public IP.",
  },
  { key: 'perVenuePerDay', label: 'Codes per venue per day', meaning: 'A ceiling for each venue, whatever the traffic.' },
  { key: 'perOrgPerMonth', label: 'Monthly SMS budget (codes)', meaning: 'Codes the whole organisation may send per calendar month (UTC); 0 switches sign-in by SMS off.' },
  { key: 'checksPerCode', label: 'Attempts per code', meaning: 'Wrong guesses allowed for each code sent before a new code is needed.' },
];
export const smsFieldName = (key: keyof SmsPolicy): string => `sms_${key}`;

const PORTAL_FIELDS = ['allowedCountries', 'defaultCountry', 'recognitionDays', 'loginRetentionDays', 'verification', 'crmUrl', 'crmSecret', 'crmSecretRemove'];
const MESSAGE_FIELDS = ['optOutLine', 'dailyCapPerVisitor', 'quietFrom', 'quietTo'];

const read = (names: readonly string[], body: unknown): FormValues => {
  const field = formFields(body);
  return Object.fromEntries(names.map((name) => [name, field(name)]));
};
const at = (values: FormValues, name: string): string => values[name] ?? '';

/** What the page shows for stored settings. The CRM secret is write-only: its field always starts empty. */
export function portalValues(settings: PortalOrgSettings): FormValues {
  const values: FormValues = {
    allowedCountries: settings.allowedCountries.join(', '),
    defaultCountry: settings.defaultCountry ?? '',
    recognitionDays: String(settings.recognitionDays),
    loginRetentionDays: String(settings.loginRetentionDays),
    verification: settings.verification,
    crmUrl: settings.crm?.url ?? '',
    crmSecret: '',
    crmSecretRemove: '',
  };
  for (const { key } of SMS_FIELDS) values[smsFieldName(key)] = settings.sms[key] === undefined ? '' : String(settings.sms[key]);
  return values;
}

export function readPortalForm(body: unknown): FormValues {
  return read([...PORTAL_FIELDS, ...SMS_FIELDS.map((f) => smsFieldName(f.key))], body);
}

const countryCodes = (text: string): string[] => text.split(/[\s,;]+/).filter((code) => code !== '');

/** The full settings document for putOrg (PUT): the form's fields over the stored ones it does not show. */
export function portalInput(current: PortalOrgSettings, values: FormValues): Record<string, unknown> {
  const sms = SMS_FIELDS.map((f) => [f.key, at(values, smsFieldName(f.key)).trim()] as const).filter(([, text]) => text !== '');
  const crmUrl = at(values, 'crmUrl').trim();
  const secret = at(values, 'crmSecret');
  return {
    ...current,
    allowedCountries: countryCodes(at(values, 'allowedCountries')),
    defaultCountry: at(values, 'defaultCountry').trim() === '' ? undefined : at(values, 'defaultCountry'),
    recognitionDays: wholeNumber(at(values, 'recognitionDays')),
    loginRetentionDays: wholeNumber(at(values, 'loginRetentionDays')),
    verification: at(values, 'verification'),
    // A blank field keeps the default (and any later change to it), rather than pinning today's value.
    sms: Object.fromEntries(sms.map(([key, text]) => [key, wholeNumber(text)])),
    crm: crmUrl === '' ? undefined : { url: crmUrl },
    // undefined keeps the stored secret, null removes it.
    crmSecret: at(values, 'crmSecretRemove') !== '' ? null : secret === '' ? undefined : secret,
  };
}

/** A form mistake the service cannot see: asking to replace and remove the secret at once. */
export function portalFormProblems(values: FormValues): Record<string, string> | undefined {
  if (at(values, 'crmSecret') === '' || at(values, 'crmSecretRemove') === '') return undefined;
  return { crmSecret: 'either type a new secret or tick "Remove the secret", not both' };
}

function portalFieldOf(path: string): string | undefined {
  const sms = /^sms\.(\w+)/.exec(path);
  if (sms?.[1] !== undefined) return SMS_FIELDS.some((f) => f.key === sms[1]) ? `sms_${sms[1]}` : undefined;
  if (path.startsWith('crmSecret')) return 'crmSecret';
  if (path.startsWith('crm')) return 'crmUrl';
  const top = path.split('.')[0] ?? '';
  return PORTAL_FIELDS.includes(top) ? top : undefined;
}

/** Messages by field; a bad country code names the code as typed. */
export function portalErrors(fields: FieldProblem[] | undefined, values: FormValues): Record<string, string> {
  const codes = countryCodes(at(values, 'allowedCountries'));
  const named = (fields ?? []).map((problem) => {
    const index = /^allowedCountries\.(\d+)$/.exec(problem.path)?.[1];
    const code = index === undefined ? undefined : codes[Number(index)];
    return code === undefined ? problem : { ...problem, message: `"${code}": ${problem.message}` };
  });
  return fieldErrors(named, portalFieldOf);
}

export const readConsentForm = (body: unknown): FormValues => read(['consentVersion'], body);

export const consentErrors = (fields: FieldProblem[] | undefined): Record<string, string> =>
  fieldErrors(fields, (path) => (path.startsWith('consentVersion') ? 'consentVersion' : undefined));

export function messageValues(settings: TriggerSettings): FormValues {
  return {
    optOutLine: settings.optOutLine,
    dailyCapPerVisitor: String(settings.dailyCapPerVisitor),
    quietFrom: settings.quietHours.from,
    quietTo: settings.quietHours.to,
  };
}

export const readMessagesForm = (body: unknown): FormValues => read(MESSAGE_FIELDS, body);

/** The patch for TriggerSettingsService.update (every field the form shows). */
export function messagesPatch(values: FormValues): Record<string, unknown> {
  return {
    optOutLine: at(values, 'optOutLine'),
    dailyCapPerVisitor: wholeNumber(at(values, 'dailyCapPerVisitor')),
    quietHours: { from: at(values, 'quietFrom').trim(), to: at(values, 'quietTo').trim() },
  };
}

export const messagesErrors = (fields: FieldProblem[] | undefined): Record<string, string> =>
  fieldErrors(fields, (path) => {
    if (path.startsWith('quietHours.to')) return 'quietTo';
    if (path.startsWith('quietHours')) return 'quietFrom';
    const top = path.split('.')[0] ?? '';
    return MESSAGE_FIELDS.includes(top) ? top : undefined;
  });
