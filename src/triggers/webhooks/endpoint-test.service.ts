import type { Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { EndpointDirectory, WebhookResult, WebhookSender } from '../ports.js';

/**
 * "Send test delivery": one signed message sent now through the real sender
 * (same signing, address guard and timeout as every delivery), to a disabled
 * endpoint too, so a CRM developer can check their verification before
 * going live. It is not a delivery: nothing is logged, retried or counted
 * against the endpoint's health.
 */

export const TEST_EVENT_TYPE = 'webhook.test';
export const PREVIEW_BYTES = 512;

export interface TestDeliveryResult extends WebhookResult {
  /** The `webhook-id` it was sent with (receivers see the same). */
  messageId: string;
  sentAt: string;
  body: string;
}

export interface EndpointTesterDeps {
  endpoints: Pick<EndpointDirectory, 'get'>;
  sender: WebhookSender;
  clock: Clock;
}

export class EndpointTester {
  constructor(private readonly deps: EndpointTesterDeps) {}

  async send(orgId: string, endpointId: string): Promise<TestDeliveryResult> {
    const endpoint = await this.deps.endpoints.get(orgId, endpointId);
    if (!endpoint) throw notFound('Webhook endpoint');
    const now = this.deps.clock.now();
    const messageId = `test_${newId()}`;
    const body = JSON.stringify({
      type: TEST_EVENT_TYPE,
      timestamp: now.toISOString(),
      data: { endpointId: endpoint.id, message: 'A test delivery from Passby: verify the signature, then answer 2xx. No action is needed.' },
    });
    const result = await this.deps.sender.send({ url: endpoint.url, secrets: endpoint.secrets, messageId, body, timestamp: now, keepResponseBytes: PREVIEW_BYTES });
    return { ...result, messageId, sentAt: now.toISOString(), body };
  }
}
