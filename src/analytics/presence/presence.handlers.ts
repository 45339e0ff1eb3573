import type { Redis } from 'ioredis';
import { JobProducer } from '../../queue/producer.js';
import type { JobHandlers } from '../../queue/workers.js';
import type { Clock } from '../../shared/clock.js';
import { presenceJobCatalog, type PresenceJobs } from './presence.jobs.js';
import { PresenceService, type PresencePublisher, type SettingsLookup, type TimeZoneLookup } from './presence.service.js';
import { PresenceStore } from './presence.store.js';

export interface PresenceWorkerDeps {
  /** A 'client' connection (the composition root's RedisFactory makes and closes it). */
  redis: Redis;
  /** The queue prefix (config.queue.prefix): presence keys live beside the queues, in the same hash slot when it is a hash tag. */
  prefix: string;
  clock: Clock;
  settingsFor: SettingsLookup;
  timeZoneFor?: TimeZoneLookup;
  /** Defaults to the `presence-events` queue. */
  publisher?: PresencePublisher;
  /** Allowed lateness of sightings, seconds (DEFAULT_LATENESS_SECONDS = 60). */
  latenessSeconds?: number;
}

/** Each event becomes one `presence.event` job whose id is the event id: BullMQ drops a re-publication while it keeps the job. */
export function createQueuePublisher(producer: JobProducer<PresenceJobs>): PresencePublisher {
  return {
    async publish(events) {
      await Promise.all(events.map((event) => producer.enqueue('presence.event', event, { jobId: event.id })));
    },
  };
}

export function createPresenceService(deps: PresenceWorkerDeps): PresenceService {
  const publisher = deps.publisher ?? createQueuePublisher(new JobProducer(presenceJobCatalog, deps.redis, deps.prefix));
  return new PresenceService({
    store: new PresenceStore(deps.redis, deps.prefix),
    publisher,
    clock: deps.clock,
    settingsFor: deps.settingsFor,
    timeZoneFor: deps.timeZoneFor,
    latenessSeconds: deps.latenessSeconds,
  });
}

/** The presence job handlers, to merge into the worker's handler map. */
export function createPresenceHandlers(service: PresenceService): JobHandlers<PresenceJobs> {
  return {
    'presence.sightings': async (payload, { logger }) => {
      const result = await service.recordSightings(payload, logger);
      logger.debug(result, 'presence sightings tracked');
    },
    'presence.sweep': async (_payload, { logger }) => {
      const result = await service.sweep(logger);
      if (result.events > 0 || result.flushed > 0) logger.info(result, 'presence sweep');
    },
  };
}
