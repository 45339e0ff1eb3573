import { GatewayService, type GatewayService as Gateways } from './portal/index.js';
import { AnalyticsSettingsService, CalibrationService, IngestService, MetricsService, noPresenceTracking, RollupService, SensorService, type PresenceSink } from './analytics/index.js';
import { loadConfig, type AnalyticsConfig } from './config.js';
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
  analyticsSettings: AnalyticsSettingsService;
  ingest: IngestService;
  metrics: MetricsService;
  calibration: CalibrationService;
  rollup: RollupService;
}

export interface ServiceDeps {
  db: Db;
  clock: Clock;
  secretKey: string;
  /** Retention, salts and ingest limits; the defaults of an empty environment when left out (tests, tools). */
  analytics?: AnalyticsConfig;
  /** Where ingest hands known devices' sightings; none tracked when left out. */
  presence?: PresenceSink;
}

export function createServices(deps: ServiceDeps): Services {
  const { db, clock } = deps;
  const venues = new VenueService({ db, clock });
  const analyticsSettings = new AnalyticsSettingsService({ db, clock, venues });
  const settingsFor = (orgId: string, venueId: string) => analyticsSettings.settingsFor(orgId, venueId);
  return {
    organisations: new OrganisationService({ db, clock }),
    venues,
    gateways: new GatewayService({ db, venues, secretBox: createSecretBox(deps.secretKey, 'gateway-secrets/v1') }),
    sensors: new SensorService({ db, venues }),
    analyticsSettings,
    ingest: new IngestService({
      db,
      clock,
      secretKey: deps.secretKey,
      presence: deps.presence ?? noPresenceTracking,
      analytics: deps.analytics ?? loadConfig({}).analytics,
    }),
    metrics: new MetricsService({ db, clock, venues, settingsFor }),
    calibration: new CalibrationService({ db, clock, venues }),
    rollup: new RollupService({ db, clock, settingsFor }),
  };
}
