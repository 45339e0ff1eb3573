import { openingHoursSchema, venueInputSchema, venuePatchSchema, zoneInputSchema } from '../../../tenancy/tenancy.schemas.js';
import { exampleVenue } from '../examples.js';
import { fromZod, listOf, obj, op, pathParam, ref, str, time, uuid, type JsonSchema, type Paths } from '../schema.js';

const tag = 'Organisation';
const venueId = pathParam('venueId', 'A venue of the caller\'s organisation');
const zoneId = pathParam('zoneId', 'A zone of the caller\'s organisation');

export const tenancySchemas: Record<string, JsonSchema> = {
  Organisation: obj({ id: uuid(), name: str(), createdAt: time() }),
  VenueInput: fromZod(venueInputSchema),
  VenuePatch: fromZod(venuePatchSchema),
  Venue: obj({
    id: uuid(),
    orgId: uuid(),
    name: str(),
    timezone: str('IANA time zone, e.g. Europe/London'),
    address: str(),
    openingHours: fromZod(openingHoursSchema, 'output'),
    createdAt: time(),
    updatedAt: time(),
  }),
  ZoneInput: fromZod(zoneInputSchema),
  Zone: obj({ id: uuid(), orgId: uuid(), venueId: uuid(), name: str(), createdAt: time() }),
};

export const tenancyPaths: Paths = {
  '/organisation': {
    get: op({ id: 'getOrganisation', tag, summary: 'The caller\'s organisation', ok: { status: 200, description: 'The organisation', schema: ref('Organisation') } }),
  },
  '/venues': {
    get: op({ id: 'listVenues', tag, summary: 'List venues', ok: { status: 200, description: 'Every venue', schema: listOf(ref('Venue')) } }),
    post: op({
      id: 'createVenue',
      tag,
      summary: 'Create a venue',
      body: { schema: ref('VenueInput'), example: exampleVenue },
      ok: { status: 201, description: 'The new venue', schema: ref('Venue') },
    }),
  },
  '/venues/{venueId}': {
    get: op({ id: 'getVenue', tag, summary: 'Get a venue', params: [venueId], ok: { status: 200, description: 'The venue', schema: ref('Venue') }, errors: [404] }),
    patch: op({
      id: 'updateVenue',
      tag,
      summary: 'Change some of a venue\'s fields',
      params: [venueId],
      body: { schema: ref('VenuePatch') },
      ok: { status: 200, description: 'The venue after the change', schema: ref('Venue') },
      errors: [404],
    }),
    delete: op({ id: 'deleteVenue', tag, summary: 'Delete a venue', params: [venueId], ok: { status: 204, description: 'Deleted' }, errors: [404, 409] }),
  },
  '/venues/{venueId}/zones': {
    get: op({ id: 'listZones', tag, summary: 'List a venue\'s zones', params: [venueId], ok: { status: 200, description: 'The zones', schema: listOf(ref('Zone')) }, errors: [404] }),
    post: op({
      id: 'createZone',
      tag,
      summary: 'Create a zone in a venue',
      params: [venueId],
      body: { schema: ref('ZoneInput'), example: { name: 'Entrance' } },
      ok: { status: 201, description: 'The new zone', schema: ref('Zone') },
      errors: [404, 409],
    }),
  },
  '/zones/{zoneId}': {
    get: op({ id: 'getZone', tag, summary: 'Get a zone', params: [zoneId], ok: { status: 200, description: 'The zone', schema: ref('Zone') }, errors: [404] }),
    delete: op({ id: 'deleteZone', tag, summary: 'Delete a zone', params: [zoneId], ok: { status: 204, description: 'Deleted' }, errors: [404, 409] }),
  },
};
