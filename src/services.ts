import { GatewayService, type GatewayService as Gateways } from './portal/index.js';
import { SensorService } from './analytics/index.js';
import type { Db } from './db/pool.js';
import type { Clock } from './shared/clock.js';
import { createSecretBox } from './shared/secret-box.js';
import { OrganisationService, VenueService } from './tenancy/index.js';

/** The feature services, wired once; shared by the web app, the workers and the CLI. */
export interface Services {
  organisations: OrganisationService;
  venues: VenueService;
  gateways: Gateways;
  sensors: SensorService;
}

export function createServices(deps: { db: Db; clock: Clock; secretKey: string }): Services {
  const { db, clock } = deps;
  const venues = new VenueService({ db, clock });
  return {
    organisations: new OrganisationService({ db, clock }),
    venues,
    gateways: new GatewayService({ db, venues, secretBox: createSecretBox(deps.secretKey, 'gateway-secrets/v1') }),
    sensors: new SensorService({ db, venues }),
  };
}
