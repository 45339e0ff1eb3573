import type { Redis } from 'ioredis';
import type { Config } from '../src/config.js';
import type { Db } from '../src/db/pool.js';
import { createServices } from '../src/services.js';
import { systemClock } from '../src/shared/clock.js';
import { createLogger } from '../src/shared/logger.js';
import { createTriggers } from '../src/triggers/index.js';
import type { FakeOmada } from '../test/fakes/omada.server.js';
import type { WebhookReceiver } from '../test/fakes/webhook-receiver.server.js';
import { TEST_SECRET_KEY } from '../test/helpers/env.js';
import { newOrg } from '../test/helpers/factories.js';
import { newOmadaGateway } from '../test/helpers/portal.js';

/** What the load runs against: one organisation with a sensor, an Omada gateway, a CRM endpoint and two rules. */
export interface LoadWorld {
  orgId: string;
  apiKey: string;
  venueId: string;
  zoneId: string;
  sensorToken: string;
  gatewayId: string;
  /** Known visitors with SMS-marketing consent: the targets of custom and presence events. */
  visitors: string[];
}

/** Custom events of this name fire one webhook; presence.entered fires one webhook and one SMS. */
export const CUSTOM_EVENT = 'soak';

/** No cooldown, no daily cap and no quiet hours: every matching event must fire, whatever the time of day. */
const always = { cooldownMinutes: 0, countsTowardsDailyCap: false, quietHours: { mode: 'drop', from: '00:00', to: '00:00' } } as const;

export async function seedWorld(options: { config: Config; db: Db; redis: Redis; crm: WebhookReceiver; omada: FakeOmada; visitors: number }): Promise<LoadWorld> {
  const { config, db } = options;
  const silent = createLogger('silent');
  const services = createServices({ db, clock: systemClock, secretKey: TEST_SECRET_KEY });
  const triggers = createTriggers({ config, db, redis: options.redis, clock: systemClock, secretKey: TEST_SECRET_KEY, logger: silent });
  try {
    const org = await newOrg(services, 'Soak');
    const zone = await services.venues.createZone(org.orgId, org.venueId, { name: 'Entrance' });
    const { token } = await services.sensors.create(org.orgId, { venueId: org.venueId, zoneId: zone.id, name: 'Door sensor' });
    const gatewayId = await newOmadaGateway(services, org.orgId, org.venueId, options.omada);
    const { endpoint, secret } = await triggers.webhooks.service.create(org.orgId, { url: options.crm.url });
    options.crm.setSecrets([secret]);
    const webhook = { type: 'webhook', endpointIds: [endpoint.id] };
    await triggers.rules.service.create(org.orgId, { name: 'custom -> CRM', trigger: { type: 'custom', name: CUSTOM_EVENT }, ...always, actions: [webhook] });
    await triggers.rules.service.create(org.orgId, {
      name: 'entered -> CRM + SMS',
      trigger: { type: 'presence.entered' },
      ...always,
      actions: [webhook, { type: 'sms', template: 'Welcome in, {{venue.name}}' }],
    });
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO visitors (id, org_id, phone, last_verified_at)
       SELECT gen_random_uuid(), $1, '+4475' || lpad(i::text, 8, '0'), now() FROM generate_series(1, $2) AS i RETURNING id`,
      [org.orgId, options.visitors],
    );
    await db.query(
      `INSERT INTO consent_events (id, org_id, visitor_id, purpose, granted, text_version, venue_id, method)
       SELECT gen_random_uuid(), $1, v, p, true, 'soak-1', $2, 'api' FROM unnest($3::uuid[]) AS v, unnest(ARRAY['terms', 'sms_marketing']) AS p`,
      [org.orgId, org.venueId, rows.map((r) => r.id)],
    );
    return { orgId: org.orgId, apiKey: org.apiKey, venueId: org.venueId, zoneId: zone.id, sensorToken: token, gatewayId, visitors: rows.map((r) => r.id) };
  } finally {
    await triggers.close();
  }
}
