import type { Services } from './services.js';
import type { OpeningHours } from './tenancy/tenancy.schemas.js';

export interface DemoSeed {
  orgId: string;
  venueId: string;
  email: string;
  password: string;
  apiKey: string;
}

const DEMO_EMAIL = 'demo@passby.local';
const HOURS: OpeningHours = {
  mon: [['08:00', '20:00']],
  tue: [['08:00', '20:00']],
  wed: [['08:00', '20:00']],
  thu: [['08:00', '20:00']],
  fri: [['08:00', '22:00']],
  sat: [['09:00', '22:00']],
  sun: [['10:00', '16:00']],
};

/** On an empty database: a demo organisation, venue, zones and owner, so a first run has something to show. */
export async function seedDemoIfEmpty(services: Services): Promise<DemoSeed | undefined> {
  if ((await services.organisations.countOrganisations()) > 0) return undefined;
  const { organisation, apiKey } = await services.organisations.createOrganisation('Demo Organisation');
  const venue = await services.venues.create(organisation.id, {
    name: 'Demo High Street Café',
    timezone: 'Europe/London',
    address: '1 High Street, London',
    openingHours: HOURS,
  });
  for (const name of ['Entrance', 'Counter', 'Seating']) await services.venues.createZone(organisation.id, venue.id, { name });
  const { generatedPassword } = await services.organisations.createUser(organisation.id, { email: DEMO_EMAIL, name: 'Demo Owner', role: 'owner' });
  return { orgId: organisation.id, venueId: venue.id, email: DEMO_EMAIL, password: generatedPassword ?? '', apiKey };
}
