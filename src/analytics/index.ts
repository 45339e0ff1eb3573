export { SensorService } from './sensor.service.js';
export type { Sensor } from './sensor.repository.js';
export { sensorRoutes } from './sensor.routes.js';
export { AnalyticsSettingsService } from './analytics-settings.service.js';
export { analyticsSettingsRoutes } from './analytics-settings.routes.js';
export { defaultVenueAnalyticsSettings, venueAnalyticsSettingsSchema, type VenueAnalyticsSettings } from './analytics.settings.js';
export {
  IngestService,
  ingestRoutes,
  noPresenceTracking,
  ProbeMaintenance,
  type IngestBatch,
  type IngestOutcome,
  type IngestRecord,
  type IngestSensor,
  type MaintenanceResult,
  type RecordProblem,
} from './ingest/index.js';
export type { KnownSighting, PresenceSink, SightingBatch } from './presence/sighting.js';
export { MetricsService, seriesToCsv, type VenueMetrics } from './metrics/metrics.service.js';
export { metricsRoutes } from './metrics/metrics.routes.js';
export { RollupService, type RollupResult } from './rollup/rollup.service.js';
export { CalibrationService } from './metrics/calibration.service.js';
export { calibrationRoutes } from './metrics/calibration.routes.js';
