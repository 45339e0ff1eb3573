import type { TriggersConfig } from '../../config.js';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { isId } from '../../shared/ids.js';
import type { Logger } from '../../shared/logger.js';
import { createSecretBox } from '../../shared/secret-box.js';
import type { DeliveryEndpoint, EndpointDirectory, WebhookResult } from '../ports.js';
import { EndpointRepository, type EndpointWithSecrets } from './endpoint.repository.js';
import { SECRET_PURPOSE } from './endpoint.service.js';

/**
 * What the delivery pipeline needs from endpoints: where to send, with which
 * secrets, and health tracking. A 410 disables an endpoint at once; failures
 * without a success for longer than `disableAfterMs` disable it too, so a
 * dead CRM stops costing retries (an operator re-enables it by PATCH).
 */

export interface EndpointDirectoryDeps {
  db: Db;
  clock: Clock;
  secretKey: string;
  logger: Logger;
  webhook: Pick<TriggersConfig['webhook'], 'disableAfterMs'>;
}

export function createEndpointDirectory(deps: EndpointDirectoryDeps): EndpointDirectory {
  const repo = new EndpointRepository(deps.db);
  const box = createSecretBox(deps.secretKey, SECRET_PURPOSE);
  const toDelivery = (e: EndpointWithSecrets): DeliveryEndpoint => ({
    id: e.id,
    url: e.url,
    enabled: e.enabled,
    eventTypes: e.eventTypes,
    secrets: e.sealedSecrets.map((sealed) => box.open(sealed)),
  });

  async function disable(orgId: string, endpointId: string, reason: 'gone' | 'failing', at: Date, failingSince?: Date): Promise<void> {
    if (!(await repo.disable(orgId, endpointId, reason, at))) return;
    const why = reason === 'gone' ? 'the receiver answered 410 Gone' : `it has been failing since ${failingSince?.toISOString() ?? '?'}`;
    deps.logger.warn({ orgId, endpointId, reason }, `webhook endpoint disabled: ${why}; re-enable it with PATCH /api/v1/webhook-endpoints/${endpointId}`);
  }

  return {
    async forAction(orgId, endpointIds, eventType) {
      const ids = endpointIds.filter(isId);
      if (endpointIds.length > 0 && ids.length === 0) return [];
      const found = await repo.enabledFor(orgId, ids, eventType, deps.clock.now());
      return found.filter((e) => e.sealedSecrets.length > 0).map(toDelivery);
    },

    async get(orgId, endpointId) {
      const found = isId(endpointId) ? await repo.find(orgId, endpointId, deps.clock.now()) : undefined;
      return found && toDelivery(found);
    },

    async recordResult(orgId: string, endpointId: string, result: WebhookResult, at: Date) {
      if (!isId(endpointId)) return;
      if (result.outcome === 'delivered') {
        await repo.clearFailing(orgId, endpointId, at);
        return;
      }
      const run = await repo.markFailing(orgId, endpointId, at);
      if (!run?.enabled) return;
      if (result.outcome === 'gone') await disable(orgId, endpointId, 'gone', at);
      else if (at.getTime() - run.failingSince.getTime() > deps.webhook.disableAfterMs) await disable(orgId, endpointId, 'failing', at, run.failingSince);
    },
  };
}
