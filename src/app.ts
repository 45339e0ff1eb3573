import { fileURLToPath } from 'node:url';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import { analyticsSettingsRoutes, calibrationRoutes, ingestRoutes, metricsRoutes, sensorRoutes } from './analytics/index.js';
import type { Config } from './config.js';
import { loadMigrations, pendingMigrations } from './db/migrate.js';
import type { Db } from './db/pool.js';
import { JSON_BODY_LIMIT_BYTES, requireApiKey, requireJsonBody } from './http/api-auth.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { openApiRoutes, PASSBY_VERSION } from './http/openapi/index.js';
import type { Metrics } from './http/metrics.js';
import { measureRequests } from './http/metrics.js';
import { requestLogging } from './http/request-logging.js';
import './http/types.js';
import { createViewEngine } from './http/views.js';
import { captiveApiRoutes, createPortal, gatewayRoutes, openndsAuthmonRoutes, portalApiRoutes, portalRoutes } from './portal/index.js';
import type { Services } from './services.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { adminRoutes } from './admin/index.js';
import { createStaffAuth, staffRoutes } from './staff/index.js';
import { tenancyRoutes } from './tenancy/index.js';
import type { Triggers } from './triggers/index.js';

export interface AppDeps {
  config: Config;
  db: Db;
  redis: Redis;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  secretKey: string;
  services: Services;
  triggers: Triggers;
}

const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));

/** Builds the web app. Never listens: main.ts does, tests use supertest. */
export function buildApp(deps: AppDeps): Express {
  const { config, services, logger } = deps;
  const https = config.publicUrl.startsWith('https:');
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.engine('hbs', createViewEngine(VIEWS_DIR, config.env === 'production'));
  app.set('view engine', 'hbs');
  app.set('views', VIEWS_DIR);

  app.use(requestLogging(logger), measureRequests(deps.metrics));
  app.use(
    helmet({
      // Captive portals are often plain http on the LAN: only upgrade or pin https when we serve https.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
      strictTransportSecurity: https,
    }),
  );
  // Read once: readiness probes come every few seconds and the files do not change under a running process.
  const migrations = loadMigrations();
  app.use(
    healthRoutes({ db: deps.db, redis: deps.redis, metrics: deps.metrics, metricsToken: config.metricsToken, pendingMigrations: () => pendingMigrations(deps.db, migrations) }),
  );
  app.use(openApiRoutes({ publicUrl: config.publicUrl, version: PASSBY_VERSION }));

  const { triggers } = deps;
  const portal = createPortal({
    ...deps,
    gateways: services.gateways,
    venues: services.venues,
    onLogin: (login) =>
      triggers.engine.publish({
        id: `login:${login.id}`,
        type: 'portal.login',
        orgId: login.orgId,
        venueId: login.venueId,
        zoneId: null,
        visitorId: login.visitorId,
        occurredAt: login.at.toISOString(),
        source: 'portal',
        properties: { method: login.method },
      }),
  });
  app.use(portalRoutes({ ...portal, marketing: triggers.sms.portalPreferences }));
  app.use(captiveApiRoutes({ gateways: services.gateways, signIn: portal.signIn, publicUrl: config.publicUrl }));
  app.use(
    openndsAuthmonRoutes({
      lookup: async (gatewayId: string) => {
        const found = await services.gateways.findForPortal(gatewayId);
        if (!found || !('faskey' in found.secrets)) return undefined;
        return { faskey: found.secrets.faskey, fasLevel: Number(found.gateway.settings.fasLevel) };
      },
      authmon: portal.authmon,
      logger,
    }),
  );

  // Sensors authenticate with their own token and send NDJSON/gzip: before the organisation API and its JSON parser.
  // Twilio's signed callbacks (form bodies) and the visitor-facing opt-out pages: no API key.
  app.use(triggers.publicRoutes);
  app.use('/api/v1', ingestRoutes({ sensors: services.sensors, ingest: services.ingest, analytics: config.analytics }));
  const api = Router();
  api.use(requireJsonBody, express.json({ limit: JSON_BODY_LIMIT_BYTES }), requireApiKey(services.organisations));
  api.use(
    tenancyRoutes(services),
    gatewayRoutes(services.gateways),
    portalApiRoutes(portal),
    sensorRoutes(services.sensors),
    analyticsSettingsRoutes(services.analyticsSettings),
    metricsRoutes(services.metrics),
    calibrationRoutes(services.calibration),
    triggers.apiRoutes,
  );
  app.use('/api/v1', api);

  const auth = createStaffAuth({
    db: deps.db,
    clock: deps.clock,
    organisations: services.organisations,
    secretKey: deps.secretKey,
    secureCookies: https,
    // Sign-in attempt counters shared by every web process of the installation.
    redis: deps.redis,
    keyPrefix: config.queue.prefix,
  });
  app.use(staffRoutes({ auth, organisations: services.organisations, venues: services.venues, admin: adminRoutes({ config, db: deps.db, redis: deps.redis, clock: deps.clock, services, portal, triggers }) }));

  app.use(notFoundHandler);
  app.use(errorHandler());
  return app;
}
