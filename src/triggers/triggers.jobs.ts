import { z } from 'zod';
import type { JobDefinition } from '../queue/jobs.js';
import { idSchema } from '../shared/ids.js';
import { triggerEventSchema } from './trigger-event.js';

export const TRIGGER_EVENTS_QUEUE = 'trigger-events';
export const TRIGGER_DELIVERIES_QUEUE = 'trigger-deliveries';

/** A delivery attempt: the row holds everything else (payload, target, attempts so far). */
export const deliverJobSchema = z.strictObject({ orgId: idSchema, deliveryId: idSchema });
export type DeliverJob = z.output<typeof deliverJobSchema>;

const define = <S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> => definition;

/**
 * Events from the portal and the API are evaluated on `trigger-events` (job id
 * = event id, so a re-sent event is one job while it is kept; the decision
 * table's unique key covers the rest). Presence events keep their own queue
 * (`presence-events`) and the same evaluation. Each delivery is one job on
 * `trigger-deliveries`; retries are new delayed jobs of the same delivery.
 */
export const triggerJobCatalog = {
  'trigger.event': define({
    queue: TRIGGER_EVENTS_QUEUE,
    schema: triggerEventSchema,
    options: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 14 * 24 * 3600 } },
  }),
  'trigger.deliver': define({
    queue: TRIGGER_DELIVERIES_QUEUE,
    schema: deliverJobSchema,
    options: { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: { age: 24 * 3600, count: 10_000 }, removeOnFail: { age: 14 * 24 * 3600 } },
  }),
};
