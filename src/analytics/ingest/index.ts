export { IngestService, MAX_ERRORS, type IngestBatch, type IngestDeps, type IngestOutcome, type IngestSensor } from './ingest.service.js';
export type { IngestRecord } from './batch-check.js';
export type { RecordProblem } from './ingest.repository.js';
export { ingestRoutes } from './ingest.routes.js';
export { ProbeMaintenance, type MaintenanceResult } from './probe-maintenance.js';
export { noPresenceTracking } from './no-presence.sink.js';
export { deviceKeyOf, fpGroupOf, saltPeriodOf } from './device-key.js';
