import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCountryCode, maskPhone, normalisePhone } from '../../src/portal/phone.js';
import { AppError, type ErrorCode } from '../../src/shared/errors.js';

const anywhere = { allowedCountries: [] } as const;

function refusal(fn: () => unknown, code: ErrorCode): AppError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AppError, `expected AppError ${code}`);
  assert.equal(caught.code, code);
  return caught;
}

describe('normalisePhone', () => {
  it('accepts UK mobiles typed in international, national and bracketed-zero formats', () => {
    for (const input of ['+44 7400 123456', '+447400123456', '07400 123456', '07400-123-456', '+44 (0)7400 123456', '0044 7400 123456']) {
      assert.deepEqual(normalisePhone(input, { ...anywhere, defaultCountry: 'GB' }), { e164: '+447400123456', country: 'GB' }, input);
    }
  });

  it('accepts Russian mobiles with +7 and with the domestic 8 prefix', () => {
    for (const input of ['+7 912 345-67-89', '+7 (912) 345 67 89', '8 (912) 345-67-89', '89123456789']) {
      assert.deepEqual(normalisePhone(input, { ...anywhere, defaultCountry: 'RU' }), { e164: '+79123456789', country: 'RU' }, input);
    }
  });

  it('accepts US numbers, which the NANP reports as fixed-line-or-mobile', () => {
    for (const input of ['+1 202 555 0147', '(202) 555-0147', '202.555.0147', '1-202-555-0147']) {
      assert.deepEqual(normalisePhone(input, { ...anywhere, defaultCountry: 'US' }), { e164: '+12025550147', country: 'US' }, input);
    }
  });

  it('uses the default country only for national formats', () => {
    assert.deepEqual(normalisePhone('+7 912 345 67 89', { ...anywhere, defaultCountry: 'GB' }), { e164: '+79123456789', country: 'RU' });
  });

  it('refuses landlines with PHONE_LANDLINE and names the type', () => {
    const error = refusal(() => normalisePhone('+44 20 7946 0018', anywhere), 'PHONE_LANDLINE');
    assert.equal(error.details?.numberType, 'FIXED_LINE');
    refusal(() => normalisePhone('+7 495 123-45-67', anywhere), 'PHONE_LANDLINE');
  });

  it('refuses premium-rate, toll-free, VoIP and personal numbers (SMS pumping and throwaway numbers)', () => {
    const cases = { '+44 9098 790123': 'PREMIUM_RATE', '+44 800 123 4567': 'TOLL_FREE', '+7 800 555-35-35': 'TOLL_FREE', '+44 56 1234 5678': 'VOIP', '+44 70 1234 5678': 'PERSONAL_NUMBER' };
    for (const [input, type] of Object.entries(cases)) {
      assert.equal(refusal(() => normalisePhone(input, anywhere), 'PHONE_LANDLINE').details?.numberType, type, input);
    }
  });

  it('applies the allow-list and says which country was refused', () => {
    const options = { allowedCountries: ['GB', 'RU'] };
    assert.equal(normalisePhone('+7 912 345 67 89', options).country, 'RU');
    const error = refusal(() => normalisePhone('+1 202 555 0147', options), 'PHONE_NOT_ALLOWED');
    assert.match(error.message, /US/);
    assert.equal(error.details?.country, 'US');
  });

  it('treats Crown Dependencies as their own countries, not GB', () => {
    // +44 7911 is Guernsey, +44 7624 the Isle of Man: priced and abused separately from GB.
    refusal(() => normalisePhone('+44 7624 123456', { allowedCountries: ['GB'] }), 'PHONE_NOT_ALLOWED');
    assert.equal(normalisePhone('+44 7624 123456', anywhere).country, 'IM');
  });

  it('refuses non-geographic numbers even with an empty allow-list', () => {
    refusal(() => normalisePhone('+882 1234 5678 90', anywhere), 'PHONE_INVALID');
    refusal(() => normalisePhone('+800 1234 5678', anywhere), 'PHONE_NOT_ALLOWED');
  });

  it('refuses garbage, fragments, extensions and numbers buried in text', () => {
    for (const input of ['', '   ', 'hello', '+', '+44', '+7 9123', '07400 12345', '+44 7400 123456 ext 12', 'call +447400123456 now', 'tel:+447400123456', '1'.repeat(200)]) {
      refusal(() => normalisePhone(input, { ...anywhere, defaultCountry: 'GB' }), 'PHONE_INVALID');
    }
  });

  it('does not guess a country for national input without a default', () => {
    refusal(() => normalisePhone('07400 123456', anywhere), 'PHONE_INVALID');
  });

  it('never repeats the number in its errors', () => {
    const error = refusal(() => normalisePhone('+44 20 7946 0018', { allowedCountries: ['GB'] }), 'PHONE_LANDLINE');
    assert.doesNotMatch(JSON.stringify({ message: error.message, details: error.details }), /7946|0018/);
  });
});

describe('maskPhone', () => {
  it('shows the calling code and the last four digits only', () => {
    assert.equal(maskPhone('+447400120123'), '+44 •••• ••0123');
    assert.equal(maskPhone('+79123456789'), '+7 •••• ••6789');
    assert.equal(maskPhone('+12025550147'), '+1 •••• ••0147');
  });

  it('keeps at least four digits hidden on short national numbers', () => {
    const masked = maskPhone('+3547701234'); // Iceland: 7-digit national numbers
    assert.equal(masked, '+354 • •••234');
    assert.equal((masked.match(/•/g) ?? []).length, 4);
  });

  it('masks everything rather than failing on something that is not E.164', () => {
    assert.equal(maskPhone('not a number'), '••••••••');
  });
});

describe('isCountryCode', () => {
  it('accepts upper-case ISO 3166 alpha-2 codes with a numbering plan', () => {
    assert.equal(isCountryCode('GB'), true);
    assert.equal(isCountryCode('RU'), true);
    for (const value of ['gb', 'UK', 'XX', 'GBR', '', '44']) assert.equal(isCountryCode(value), false, value);
  });
});
