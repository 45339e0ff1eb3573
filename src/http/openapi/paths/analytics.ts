import { venueAnalyticsSettingsSchema } from '../../../analytics/analytics.settings.js';
import { arrayOf, int, listOf, nullable, obj, op, pathParam, queryParam, ref, str, time, uuid, fromZod, type JsonSchema, type Paths } from '../schema.js';

const tag = 'Analytics';
const venueId = pathParam('venueId', 'A venue of the caller\'s organisation');
const num = (description?: string): JsonSchema => ({ type: 'number', ...(description ? { description } : {}) });
const loose = (description: string): JsonSchema => ({ type: 'object', description });
const instant = { type: 'string', description: 'Epoch seconds or ISO 8601 with Z or an offset' };
const periodParams = [
  queryParam('from', 'Start of the period (default: 24 hours before `to`)', instant),
  queryParam('to', 'End of the period (default: now)', instant),
];
const metricsParams = [
  ...periodParams,
  queryParam('interval', 'Bucket length', { type: 'string', enum: ['1m', '5m', '15m', '1h', 'day'], default: '1h' }),
  queryParam('zone', 'A zone of the venue (default: the venue as a whole)', { type: 'string', format: 'uuid' }),
];

export const analyticsSchemas: Record<string, JsonSchema> = {
  // Hand-written: the service keeps its zod schema private.
  SensorInput: obj({ venueId: uuid(), zoneId: uuid('Where the sensor hangs (optional)'), name: str(undefined, { minLength: 1, maxLength: 200 }) }, ['zoneId']),
  Sensor: obj({ id: uuid(), orgId: uuid(), venueId: uuid(), zoneId: nullable(uuid()), name: str(), createdAt: time(), lastSeenAt: nullable(time()) }),
  SensorCreated: {
    allOf: [ref('Sensor'), obj({ token: str('The ingest token (`pbs_…`), shown only here') })],
  },
  IngestOutcome: obj({
    batch: str('The batch id (Idempotency-Key)'),
    accepted: int(),
    rejected: int(),
    errors: arrayOf(obj({ line: int(), offset: int(), index: int(), reason: str() }, ['line', 'offset', 'index'])),
    errorsOmitted: int('Problems beyond the first 100'),
    duplicate: { type: 'boolean', description: 'The batch had been received before; nothing was stored this time' },
  }),
  AnalyticsSettingsInput: fromZod(venueAnalyticsSettingsSchema),
  AnalyticsSettings: fromZod(venueAnalyticsSettingsSchema, 'output'),
  VenueMetrics: obj({
    venue: obj({ id: uuid(), name: str(), timezone: str() }),
    zoneId: nullable(uuid()),
    period: obj({ from: num('epoch seconds'), to: num('epoch seconds'), interval: { oneOf: [{ type: 'integer' }, { const: 'day' }] } }),
    rolledUpUntil: nullable(num('Sessions are complete up to this time (epoch seconds)')),
    totals: loose('footfall, passersby, visitors, captureRate, footfallCalibrated?'),
    calibration: loose('The footfall and occupancy fits applied, or null'),
    occupancyNow: num(),
    series: arrayOf(loose('start, end, footfall, passersby, visitors, captureRate, devices, occupancy, *Calibrated?')),
    dwell: loose('Dwell-time summary of the visits'),
    bounce: obj({ entries: int(), bounces: int(), rate: nullable(num()) }),
    loyalty: loose('newDevices, repeatDevices, classes {daily, weekly, occasional, first_time}'),
    frequency: arrayOf(obj({ label: str(), returns: int() })),
    routes: arrayOf(obj({ from: uuid('zone'), to: uuid('zone'), count: int() })),
  }),
  Intersections: obj({
    period: obj({ from: num(), to: num() }),
    items: arrayOf(obj({ venueId: uuid(), otherVenueId: uuid(), visitors: int(), shared: int(), share: nullable(num()) })),
  }),
  // Hand-written: the calibration service keeps its zod schema private.
  CalibrationUpload: obj(
    {
      kind: { type: 'string', enum: ['footfall', 'occupancy'] },
      intervalSeconds: { type: 'integer', minimum: 60, maximum: 86400 },
      counts: { type: 'array', minItems: 3, maxItems: 10000, items: obj({ start: { oneOf: [num('epoch seconds'), time()] }, count: { type: 'number', minimum: 0 } }) },
      calibrateUntil: { oneOf: [num('epoch seconds'), time()], description: 'Counts before this fit; later ones measure accuracy' },
      method: { type: 'string', enum: ['auto', 'factor', 'linear'], default: 'auto' },
    },
    ['calibrateUntil', 'method'],
  ),
  CalibrationReport: loose('kind, intervalSeconds, counts, calibrateUntil, method, fit, factor, linear, looMae, accuracy, reason?'),
  StoredCalibration: obj({ kind: str(), counts: arrayOf(obj({ start: num(), count: num() })), fit: nullable(loose('The fit')), report: ref('CalibrationReport'), uploadedAt: time() }),
};

export const analyticsPaths: Paths = {
  '/sensors': {
    get: op({ id: 'listSensors', tag, summary: 'List sensors with their last contact', ok: { status: 200, description: 'The sensors', schema: listOf(ref('Sensor')) } }),
    post: op({
      id: 'createSensor',
      tag,
      summary: 'Register a probe-request sensor',
      body: { schema: ref('SensorInput') },
      ok: { status: 201, description: 'The sensor and its ingest token (shown once)', schema: ref('SensorCreated') },
      errors: [404],
    }),
  },
  '/ingest/probes': {
    post: op({
      id: 'ingestProbes',
      tag,
      summary: 'Send a batch of probe requests (sensors)',
      description:
        'NDJSON (`application/x-ndjson`) or a JSON array, optionally gzip. Retry with the same Idempotency-Key: stored once, answered with ' +
        '`duplicate: true`; the same key with other content is 409 INGEST_BATCH_REUSED. Bad records are rejected one by one.',
      security: 'sensorToken',
      params: [
        { name: 'Idempotency-Key', in: 'header', required: false, description: '1-200 of `A-Za-z0-9._:-`; required unless `batch` is given', schema: { type: 'string' } },
        queryParam('batch', 'The batch id, when the sensor cannot set headers'),
      ],
      body: {
        contentType: 'application/x-ndjson',
        schema: { type: 'string', description: 'One probe per line: {"ts":1777885200.12,"mac":"6a:11:22:33:44:55","rssi":-67,"seq":1234}' },
      },
      ok: { status: 202, description: 'The batch outcome', schema: ref('IngestOutcome') },
      errors: [400, 409, 413, 415, 503],
    }),
  },
  '/venues/{venueId}/analytics-settings': {
    get: op({ id: 'getAnalyticsSettings', tag, summary: 'A venue\'s analytics settings', params: [venueId], ok: { status: 200, description: 'The settings', schema: ref('AnalyticsSettings') }, errors: [404] }),
    put: op({
      id: 'putAnalyticsSettings',
      tag,
      summary: 'Replace a venue\'s analytics settings (fields left out take their defaults)',
      params: [venueId],
      body: { schema: ref('AnalyticsSettingsInput'), example: { visitorRssi: -72, dwellThresholdsMinutes: [5, 20] } },
      ok: { status: 200, description: 'The settings now in force', schema: ref('AnalyticsSettings') },
      errors: [404],
    }),
  },
  '/venues/{venueId}/metrics': {
    get: op({
      id: 'getVenueMetrics',
      tag,
      summary: 'Footfall, visitors, dwell, bounce, loyalty and routes of a venue or zone',
      params: [venueId, ...metricsParams, queryParam('format', '`csv`: the series as CSV', { type: 'string', enum: ['json', 'csv'] })],
      ok: { status: 200, description: 'The metrics (CSV of the series with format=csv)', schema: ref('VenueMetrics'), alsoCsv: true },
      errors: [400, 404],
    }),
  },
  '/venues/{venueId}/metrics.csv': {
    get: op({
      id: 'getVenueMetricsCsv',
      tag,
      summary: 'The metric series as CSV',
      params: [venueId, ...metricsParams],
      ok: { status: 200, description: 'CSV attachment', schema: { type: 'string' }, contentType: 'text/csv' },
      errors: [400, 404],
    }),
  },
  '/analytics/intersections': {
    get: op({
      id: 'getIntersections',
      tag,
      summary: 'For each pair of venues, the share of one\'s visitors also seen at the other',
      params: periodParams,
      ok: { status: 200, description: 'The pairs', schema: ref('Intersections') },
      errors: [400],
    }),
  },
  '/venues/{venueId}/calibration': {
    get: op({ id: 'listCalibrations', tag, summary: 'Uploaded manual counts and their fits', params: [venueId], ok: { status: 200, description: 'One entry per kind', schema: listOf(ref('StoredCalibration')) }, errors: [404] }),
    put: op({
      id: 'putCalibration',
      tag,
      summary: 'Upload manual counts (replaces that kind) and fit a calibration',
      params: [venueId],
      body: { schema: ref('CalibrationUpload') },
      ok: { status: 200, description: 'The fit and its error before and after', schema: ref('CalibrationReport') },
      errors: [404],
    }),
  },
};
