import type { PresenceSink } from '../presence/sighting.js';

/**
 * For processes without presence tracking (the CLI import, a web process
 * built without it): known sightings are still marked on the stored probes,
 * only no real-time presence is derived from them.
 */
export const noPresenceTracking: PresenceSink = {
  record: () => Promise.resolve(),
};
