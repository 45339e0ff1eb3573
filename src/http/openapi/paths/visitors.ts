import { consentChangeSchema, phoneBodySchema } from '../../../triggers/visitors/visitor.schemas.js';
import { exampleAttributesPatch, exampleConsent } from '../examples.js';
import { arrayOf, bool, fromZod, int, listOf, obj, op, pathParam, queryParam, ref, str, time, uuid, type JsonSchema, type Paths } from '../schema.js';

const tag = 'Visitors';
const visitorId = pathParam('id', 'A visitor of the caller\'s organisation');
const attributeValue = { oneOf: [{ type: 'string', maxLength: 500 }, { type: 'number' }, { type: 'boolean' }] };

export const visitorSchemas: Record<string, JsonSchema> = {
  Visitor: obj({
    id: uuid(),
    phone: str('E.164'),
    createdAt: time(),
    consent: ref('ConsentState'),
    loyaltyMember: bool(),
    attributes: { type: 'object', additionalProperties: attributeValue, description: 'CRM attributes set through the API' },
    smsSuppressed: bool('The number is on the suppression list (STOP, carrier unsubscribe, opt-out link, admin)'),
    visits: arrayOf(obj({ venueId: uuid(), visits: int(), firstVisitAt: time(), lastVisitAt: time() }), 'Visits per venue as the trigger engine counted them'),
  }),
  VisitorLookup: obj({ visitor: ref('Visitor') }),
  // Hand-written: the zod schema checks reserved keys with a custom step JSON Schema cannot show.
  VisitorAttributesPatch: {
    ...obj(
      {
        loyaltyMember: bool(),
        attributes: {
          type: 'object',
          maxProperties: 100,
          propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,63}$' },
          additionalProperties: { oneOf: [...attributeValue.oneOf, { type: 'null' }] },
          description: 'Merged into the stored attributes; null deletes a key. At most 100 keys; strings up to 500 characters.',
        },
      },
      ['loyaltyMember', 'attributes'],
    ),
    additionalProperties: false,
  },
  ConsentInput: fromZod(consentChangeSchema),
  VisitorExport: {
    type: 'object',
    description:
      'Everything Passby holds about the visitor: visitor, consents, device bindings (hashes only), portal logins, attributes, visits, ' +
      'suppression entries, trigger decisions and deliveries.',
    properties: {
      exportedAt: time(),
      visitor: { allOf: [ref('Visitor')], properties: { lastVerifiedAt: time() } },
      consents: arrayOf(ref('ConsentEvent')),
      bindings: arrayOf({ type: 'object' }),
      logins: arrayOf({ type: 'object' }),
      attributes: { type: 'object' },
      visits: arrayOf({ type: 'object' }),
      decisions: arrayOf({ type: 'object' }),
      suppressions: arrayOf({ type: 'object' }),
      deliveries: arrayOf({ type: 'object' }),
    },
  },
  SmsSuppressionInput: { ...fromZod(phoneBodySchema), description: 'phone: international format, e.g. +447400123456' },
  SmsSuppression: obj({ phone: str('E.164'), reason: str('The organisation entry\'s reason: `admin`, unless the number was already suppressed for another (e.g. `opt_out_link`)'), createdAt: time() }),
};

const eraseDescription =
  'Deletes the visitor and what hangs off it (device bindings, attributes, visit statistics, consent ledger). Kept: the suppression entry ' +
  '(a keyed hash of the number, never the number) when SMS consent was ever withdrawn or the number is suppressed, so no marketing SMS reaches it ' +
  'again; trigger decisions under the now pseudonymous visitor id; deliveries with their payload scrubbed to `{erased: true}`; and portal logins, ' +
  'which public Wi-Fi identification rules require for the organisation\'s login retention period (then purged).';

export const visitorPaths: Paths = {
  '/visitors': {
    get: op({
      id: 'findVisitor',
      tag,
      summary: 'Find a visitor by phone number',
      params: [queryParam('phone', 'International format, e.g. +447400123456', { type: 'string' }, true)],
      ok: { status: 200, description: 'The visitor', schema: ref('VisitorLookup') },
      errors: [400, 404],
    }),
  },
  '/visitors/{id}': {
    get: op({ id: 'getVisitor', tag, summary: 'A visitor: consent, attributes, suppression, visits', params: [visitorId], ok: { status: 200, description: 'The visitor', schema: ref('Visitor') }, errors: [404] }),
    delete: op({ id: 'eraseVisitor', tag, summary: 'Erase a visitor (right to erasure)', description: eraseDescription, params: [visitorId], ok: { status: 204, description: 'Erased' }, errors: [404] }),
  },
  '/visitors/{id}/attributes': {
    patch: op({
      id: 'updateVisitorAttributes',
      tag,
      summary: 'Set loyalty membership and CRM attributes (merge; null deletes)',
      params: [visitorId],
      body: { schema: ref('VisitorAttributesPatch'), example: exampleAttributesPatch },
      ok: { status: 200, description: 'The visitor', schema: ref('Visitor') },
      errors: [404],
    }),
  },
  '/visitors/{id}/consents': {
    get: op({ id: 'listVisitorConsents', tag, summary: 'The visitor\'s consent history (append-only)', params: [visitorId], ok: { status: 200, description: 'Oldest first', schema: listOf(ref('ConsentEvent')) }, errors: [404] }),
    post: op({
      id: 'recordVisitorConsent',
      tag,
      summary: 'Record a consent given or withdrawn elsewhere (method `api`)',
      description: 'For consent captured by your CRM. Withdrawing sms_marketing stops marketing SMS at once, including messages already queued.',
      params: [visitorId],
      body: { schema: ref('ConsentInput'), example: exampleConsent },
      ok: { status: 201, description: 'Recorded: the visitor with the consent now in force', schema: ref('Visitor') },
      errors: [404],
    }),
  },
  '/visitors/{id}/export': {
    get: op({ id: 'exportVisitor', tag, summary: 'Everything held about a visitor (access request)', params: [visitorId], ok: { status: 200, description: 'The export', schema: ref('VisitorExport') }, errors: [404] }),
  },
  '/sms-suppressions': {
    post: op({
      id: 'suppressNumber',
      tag,
      summary: 'Put a number on the organisation\'s SMS suppression list (admin)',
      body: { schema: ref('SmsSuppressionInput'), example: { phone: '+447400123456' } },
      ok: { status: 201, description: 'Suppressed (stored as a keyed hash of the number)', schema: ref('SmsSuppression') },
    }),
  },
  '/sms-suppressions/{phone}': {
    delete: op({
      id: 'unsuppressNumber',
      tag,
      summary: 'Take a number off the organisation\'s suppression list',
      description: 'Only the organisation\'s own entry: a STOP sent to the shared number stays until that number sends START.',
      params: [pathParam('phone', 'E.164, URL-encoded (`%2B447400123456`)', { type: 'string' })],
      ok: { status: 204, description: 'Removed' },
      errors: [400, 404],
    }),
  },
};
