import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumberType } from 'libphonenumber-js/max';
import { AppError } from '../shared/errors.js';

export type { CountryCode } from 'libphonenumber-js/max';

export interface NormalisedPhone {
  /** `+` and digits only: the one form stored, hashed and sent to the SMS provider. */
  e164: string;
  /** The country the number belongs to (numbering-plan territory: +44 7911... is GG, not GB). */
  country: CountryCode;
}

export interface NormalisePhoneOptions {
  /** Used for numbers typed without `+`/`00` (national format), normally the venue's country. */
  defaultCountry?: CountryCode;
  /** ISO 3166 alpha-2 codes the organisation pays to text; empty accepts every country. */
  allowedCountries: readonly string[];
}

/**
 * The number types an SMS code can be sent to. `FIXED_LINE_OR_MOBILE` is what
 * the NANP (US, Canada, ...) reports for every ordinary number, so refusing it
 * would lock out North America. Everything else is refused:
 * - FIXED_LINE, PAGER, VOICEMAIL, UAN: cannot receive SMS; sending costs money for nothing;
 * - PREMIUM_RATE, SHARED_COST, TOLL_FREE: the classic SMS-pumping targets
 *   (the number's owner is paid per message we send);
 * - VOIP, PERSONAL_NUMBER (UK 070 "follow-me"): disposable virtual numbers that
 *   defeat one-person-one-number identification (RU Decree 758) and are the
 *   cheapest way to farm sign-ups;
 * - unknown type (valid, but the metadata cannot say what it is): fail closed.
 */
export const SMS_CAPABLE_NUMBER_TYPES: readonly PhoneNumberType[] = ['MOBILE', 'FIXED_LINE_OR_MOBILE'];

/** Longer than any formatted number with spaces and a prefix; stops parsing essays. */
const MAX_INPUT_LENGTH = 40;

/** True for an ISO 3166 alpha-2 code (upper case) that has a numbering plan: validates the org allow-list. */
export function isCountryCode(value: string): value is CountryCode {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}

/**
 * Parses what a guest typed into E.164 and decides whether we may text it.
 * Call it again right before every send, not only when the number is first
 * entered: the allow-list or type rules may have changed, and a stored number
 * must not skip them (openwisp-radius PR 790).
 *
 * @throws AppError PHONE_INVALID, PHONE_NOT_ALLOWED or PHONE_LANDLINE. The
 *   details never contain the number itself, so they are safe to log.
 */
export function normalisePhone(input: string, options: NormalisePhoneOptions): NormalisedPhone {
  const text = input.trim();
  // `extract: false`: "call me on +44..." or "+4474001234567abc" is a typo, not a number.
  const parsed =
    text.length > 0 && text.length <= MAX_INPUT_LENGTH
      ? parsePhoneNumberFromString(text, { defaultCountry: options.defaultCountry, extract: false })
      : undefined;
  if (parsed === undefined || !parsed.isValid()) {
    throw new AppError('PHONE_INVALID', 'This is not a valid phone number; include the country code, e.g. +44 7400 123456');
  }
  // An extension means a switchboard, and SMS cannot reach an extension.
  if (parsed.ext !== undefined) {
    throw new AppError('PHONE_INVALID', 'Enter a mobile number without an extension');
  }
  const country = parsed.country;
  // Non-geographic numbers (+800, +882, +883 ...) belong to no country an
  // organisation can allow, and international networks are an SMS-pumping favourite.
  if (country === undefined) {
    throw new AppError('PHONE_NOT_ALLOWED', 'Numbers without a country (international networks) are not accepted', {
      country: null,
      allowedCountries: [...options.allowedCountries],
    });
  }
  if (options.allowedCountries.length > 0 && !options.allowedCountries.some((allowed) => allowed.toUpperCase() === country)) {
    throw new AppError('PHONE_NOT_ALLOWED', `Numbers from ${country} are not accepted here; accepted: ${options.allowedCountries.join(', ')}`, {
      country,
      allowedCountries: [...options.allowedCountries],
    });
  }
  const numberType = parsed.getType();
  if (numberType === undefined || !SMS_CAPABLE_NUMBER_TYPES.includes(numberType)) {
    throw new AppError('PHONE_LANDLINE', 'Codes are sent by SMS: enter a mobile number', { numberType: numberType ?? 'UNKNOWN' });
  }
  return { e164: parsed.number, country };
}

const MASK = '•';

/**
 * "+44 •••• ••0123": enough for a returning guest to recognise their number on
 * a "Welcome back" page, too little to be worth reading over a shoulder. Shows
 * the calling code and the last 4 digits (3 for national numbers under 9 digits,
 * so at least 4 stay hidden). Never throws: view code calls it.
 */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164, { extract: false });
  if (parsed === undefined) return MASK.repeat(8);
  const national = parsed.nationalNumber;
  const shown = national.length >= 9 ? 4 : 3;
  const hidden = Math.max(national.length - shown, 0);
  const masked = MASK.repeat(hidden) + national.slice(hidden);
  // The last group is always 6 characters ("••0123"); the rest in groups of 4.
  const tail = masked.slice(-6);
  const head = masked.slice(0, -6);
  const groups = head.length > 0 ? [...(head.match(/.{1,4}/gu) ?? []), tail] : [tail];
  return `+${parsed.countryCallingCode} ${groups.join(' ')}`;
}
