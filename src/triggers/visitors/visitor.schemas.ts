import { z } from 'zod';
import { normalisePhone } from '../../portal/phone.js';
import { AppError, isAppError } from '../../shared/errors.js';

/** Usable as a template path (`{{visitor.attributes.tier}}`); never an Object.prototype name. */
const ATTRIBUTE_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_ATTRIBUTES = 100;

export const attributeValueSchema = z.union([z.string().max(500), z.number(), z.boolean()]);
export type AttributeValue = z.output<typeof attributeValueSchema>;

/** Checked on the raw input: a record parse silently drops `__proto__`, and a dropped key should be an error. */
const withoutReservedKeys = z.custom<unknown>(
  (value) => typeof value !== 'object' || value === null || !Object.keys(value).some((key) => RESERVED_KEYS.has(key)),
  'reserved key (__proto__, constructor, prototype)',
);

export const attributesPatchSchema = z.strictObject({
  loyaltyMember: z.boolean().optional(),
  /** Merged into what is stored; null deletes the key. */
  attributes: withoutReservedKeys
    .pipe(z.record(z.string().regex(ATTRIBUTE_KEY, 'keys are 1-64 letters, digits, _ or -, starting with a letter or _'), attributeValueSchema.nullable()))
    .refine((attributes) => Object.keys(attributes).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} keys`)
    .optional(),
});
export type AttributesPatch = z.output<typeof attributesPatchSchema>;

export const consentChangeSchema = z.strictObject({
  purpose: z.enum(['sms_marketing', 'crm_sharing']),
  granted: z.boolean(),
  /** Which wording the visitor agreed to or withdrew from (the CRM's own versioning). */
  textVersion: z.string().trim().min(1).max(100),
});
export type ConsentChange = z.output<typeof consentChangeSchema>;

export const phoneBodySchema = z.strictObject({ phone: z.string().min(1).max(40) });

/** E.164 through the portal's phone rules; a bad number is a field problem of the request. */
export function parsePhone(input: unknown, path = 'phone'): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new AppError('VALIDATION_FAILED', `${path}: required`, { fields: [{ path, message: 'required' }] });
  }
  try {
    return normalisePhone(input, { allowedCountries: [] }).e164;
  } catch (error) {
    if (!isAppError(error)) throw error;
    throw new AppError('VALIDATION_FAILED', `${path}: ${error.message}`, { fields: [{ path, message: error.message }], reason: error.code });
  }
}
