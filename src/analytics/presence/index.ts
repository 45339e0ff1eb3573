/**
 * Real-time presence of matchable devices (entered, passed by, dwell, left,
 * returned), per venue and per zone. Ingest records sightings through the
 * sink; the workers track them and publish events on `presence-events`.
 */
export type { KnownSighting, PresenceSink, SightingBatch } from './sighting.js';
export { PRESENCE_EVENT_TYPES, presenceEventId, presenceEventSchema, type PresenceEvent, type PresenceEventType } from './presence-event.js';
export {
  PRESENCE_EVENTS_QUEUE,
  PRESENCE_QUEUE,
  PRESENCE_SWEEP_EVERY_MS,
  presenceJobCatalog,
  presenceJobSchedules,
  sightingsJobId,
  sightingsJobSchema,
  type PresenceJobs,
  type SightingsJob,
} from './presence.jobs.js';
export { createPresenceHandlers, createPresenceService, createQueuePublisher, type PresenceWorkerDeps } from './presence.handlers.js';
export { PresenceService, type PresencePublisher, type PresenceStats, type SettingsLookup, type TimeZoneLookup } from './presence.service.js';
export { createPresenceSink, type ClosablePresenceSink } from './presence.sink.js';
export { MAX_AHEAD_SECONDS, MAX_LATE_SECONDS, nextDueAt, sweepPresence, trackSightings, type DeviceSightings, type SweepResult, type TrackResult } from './tracker.js';
export { DEFAULT_LATENESS_SECONDS, emptyPresenceState, presenceStateSchema, type DeviceRef, type PresenceState, type TrackerSettings } from './presence-state.js';
export type { PlacedSighting } from './visit.js';
export { PresenceStore } from './presence.store.js';
