import { gatewayInputSchema } from '../../../portal/gateway.schemas.js';
import { portalOrgSettingsInputSchema, portalOrgSettingsSchema, portalVenueSettingsSchema } from '../../../portal/portal.settings.js';
import { CONSENT_PURPOSES } from '../../../portal/visitor.repository.js';
import { arrayOf, bool, fromZod, listOf, nullable, obj, op, pathParam, queryParam, ref, str, time, uuid, withProperty, type JsonSchema, type Paths } from '../schema.js';

const tag = 'Portal';
const venueId = pathParam('venueId', 'A venue of the caller\'s organisation');

const orgSettingsOutput = fromZod(portalOrgSettingsSchema, 'output');

export const portalSchemas: Record<string, JsonSchema> = {
  GatewayInput: fromZod(gatewayInputSchema),
  Gateway: obj({
    id: uuid(),
    orgId: uuid(),
    venueId: uuid(),
    zoneId: nullable(uuid()),
    kind: { type: 'string', enum: ['opennds', 'omada'] },
    name: str(),
    settings: { type: 'object', description: 'openNDS: `fasLevel`. Omada: `controllerUrl`, `site`, `operatorUsername`, `timeUnit`. Never secrets.' },
    createdAt: time(),
  }),
  GatewayCreated: obj({
    gateway: ref('Gateway'),
    secrets: { type: 'object', description: 'openNDS: `{faskey}`, shown only here. Omada: `{}`.', properties: { faskey: str() } },
  }),
  PortalOrgSettingsInput: fromZod(portalOrgSettingsInputSchema),
  PortalOrgSettings: withProperty(orgSettingsOutput, 'crmSecretSet', bool('Whether a CRM secret is stored (it is never returned)')),
  PortalVenueSettingsInput: fromZod(portalVenueSettingsSchema),
  PortalVenueSettings: fromZod(portalVenueSettingsSchema, 'output'),
  PortalLogin: obj({
    id: uuid(),
    phone: str('E.164'),
    deviceHash: str('Keyed hash of the device address, never the MAC'),
    venueId: uuid(),
    gatewayId: uuid(),
    method: str('How the device got online, e.g. a verified code or a recognised device'),
    consents: { type: 'object', description: 'The consents given at this sign-in' },
    loggedInAt: time(),
  }),
  ConsentEvent: obj(
    {
      purpose: { type: 'string', enum: [...CONSENT_PURPOSES] },
      granted: bool(),
      textVersion: str('The consent text version shown or quoted'),
      venueId: nullable(uuid()),
      gatewayId: nullable(uuid()),
      method: { type: 'string', enum: ['portal_form', 'sms_stop', 'sms_start', 'opt_out_link', 'portal_preferences', 'api', 'admin'] },
      recordedAt: time(),
    },
    [],
    'One entry of the append-only consent ledger',
  ),
  LoginExport: obj({ phone: str('E.164'), logins: arrayOf(ref('PortalLogin')), consents: arrayOf(ref('ConsentEvent')) }),
};

export const portalPaths: Paths = {
  '/gateways': {
    get: op({ id: 'listGateways', tag, summary: 'List gateways (without secrets)', ok: { status: 200, description: 'The gateways', schema: listOf(ref('Gateway')) } }),
    post: op({
      id: 'createGateway',
      tag,
      summary: 'Register an openNDS or Omada gateway',
      description: 'For openNDS the answer carries the faskey, shown this once.',
      body: { schema: ref('GatewayInput'), example: { kind: 'opennds', venueId: '0b5f6c1e-3f0a-4c2e-9a57-1d2e3f4a5b6c', name: 'Front AP', fasLevel: 3 } },
      ok: { status: 201, description: 'The gateway and its secrets', schema: ref('GatewayCreated') },
      errors: [404],
    }),
  },
  '/portal/settings': {
    get: op({ id: 'getPortalSettings', tag, summary: 'Organisation portal settings', ok: { status: 200, description: 'The settings (defaults where unset)', schema: ref('PortalOrgSettings') } }),
    put: op({
      id: 'putPortalSettings',
      tag,
      summary: 'Replace the organisation portal settings',
      description: 'Fields left out take their defaults. `crmSecret` is write-only (`null` removes it).',
      body: { schema: ref('PortalOrgSettingsInput'), example: { allowedCountries: ['GB', 'IE'], recognitionDays: 30 } },
      ok: { status: 200, description: 'The settings now in force', schema: ref('PortalOrgSettings') },
    }),
  },
  '/venues/{venueId}/portal': {
    get: op({ id: 'getVenuePortal', tag, summary: 'A venue\'s portal branding, texts and session limits', params: [venueId], ok: { status: 200, description: 'The settings', schema: ref('PortalVenueSettings') }, errors: [404] }),
    put: op({
      id: 'putVenuePortal',
      tag,
      summary: 'Replace a venue\'s portal settings',
      params: [venueId],
      body: { schema: ref('PortalVenueSettingsInput'), example: { branding: { primaryColour: '#0a7d5a' }, loyaltyForm: true, session: { minutes: 720 } } },
      ok: { status: 200, description: 'The settings now in force', schema: ref('PortalVenueSettings') },
      errors: [404],
    }),
  },
  '/portal/logins': {
    get: op({
      id: 'exportLogins',
      tag,
      summary: 'Export one phone number\'s sign-ins and consent history',
      params: [
        queryParam('phone', 'The number, international format (e.g. +447400123456)', { type: 'string' }, true),
        queryParam('format', '`csv` for a CSV attachment of the logins', { type: 'string', enum: ['json', 'csv'] }),
      ],
      ok: { status: 200, description: 'The records (CSV with format=csv)', schema: ref('LoginExport'), alsoCsv: true },
      errors: [400],
    }),
  },
};
