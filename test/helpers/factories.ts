import { randomBytes } from 'node:crypto';
import type { Services } from '../../src/services.js';

export interface TestOrg {
  orgId: string;
  apiKey: string;
  venueId: string;
}

/** An organisation with an API key and one venue. */
export async function newOrg(services: Services, name = `Org ${randomBytes(3).toString('hex')}`): Promise<TestOrg> {
  const { organisation, apiKey } = await services.organisations.createOrganisation(name);
  const venue = await services.venues.create(organisation.id, { name: `${name} venue`, timezone: 'Europe/London' });
  return { orgId: organisation.id, apiKey, venueId: venue.id };
}

export const bearer = (apiKey: string): Record<string, string> => ({ Authorization: `Bearer ${apiKey}` });
