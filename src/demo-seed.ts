import { seedDemoFootfall } from './analytics/demo-footfall.js';
import type { Services } from './services.js';
import type { OpeningHours } from './tenancy/tenancy.schemas.js';

export interface DemoSeed {
  orgId: string;
  venueId: string;
  email: string;
  password: string;
  apiKey: string;
  /** Simulated probes ingested for the demo sensor (the dashboards have data on first start). */
  probes: number;
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

/** On an empty database: a demo organisation, venue, zones, a sensor with simulated footfall and an owner, so a first run has something to show. */
export async function seedDemoIfEmpty(services: Services, now: Date): Promise<DemoSeed | undefined> {
  if ((await services.organisations.countOrganisations()) > 0) return undefined;
  const { organisation, apiKey } = await services.organisations.createOrganisation('Demo Organisation');
  const venue = await services.venues.create(organisation.id, {
    name: 'Demo High Street Café',
    timezone: 'Europe/London',
    address: '1 High Street, London',
    openingHours: HOURS,
  });
  const zones = [];
  for (const name of ['Entrance', 'Counter', 'Seating']) zones.push(await services.venues.createZone(organisation.id, venue.id, { name }));
  const { sensor } = await services.sensors.create(organisation.id, { venueId: venue.id, zoneId: zones[0]?.id, name: 'Shop door (simulated)' });
  const footfall = await seedDemoFootfall({ ingest: services.ingest, sensor, now });
  const { generatedPassword } = await services.organisations.createUser(organisation.id, { email: DEMO_EMAIL, name: 'Demo Owner', role: 'owner' });
  return { orgId: organisation.id, venueId: venue.id, email: DEMO_EMAIL, password: generatedPassword ?? '', apiKey, probes: footfall.probes };
}
