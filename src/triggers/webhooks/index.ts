import type { Router } from 'express';
import type { TriggerModuleDeps } from '../module-deps.js';
import type { EndpointDirectory, WebhookSender } from '../ports.js';
import type { Resolver } from './address-guard.js';
import { createEndpointDirectory } from './endpoint.directory.js';
import { endpointRoutes } from './endpoint.routes.js';
import { EndpointService } from './endpoint.service.js';
import { createAddressPolicy, type AddressPolicy } from './ssrf.js';
import { createWebhookSender } from './webhook.sender.js';

export { EndpointService, ENDPOINT_EVENT_TYPES, type EndpointView } from './endpoint.service.js';
export { createAddressPolicy, ForbiddenAddressError, type AddressPolicy } from './ssrf.js';
export { generateSecret, signatureHeader, webhookHeaders } from './standard-webhooks.js';
export { createWebhookSender } from './webhook.sender.js';

/** CRM webhook endpoints (secrets, rotation, health) and the SSRF-safe Standard Webhooks sender. */
export interface WebhooksModule {
  endpoints: EndpointDirectory;
  sender: WebhookSender;
  /** /webhook-endpoints CRUD, /webhook-endpoints/:id/rotate-secret (behind the API key). */
  apiRoutes: Router;
  /** Endpoint CRUD and rotation (the CLI and tests use it directly). */
  service: EndpointService;
  /** The address policy of this deployment (deny list minus TRIGGERS_WEBHOOK_ALLOWED_NETWORKS). */
  policy: AddressPolicy;
  /** Drops the sender's idle keep-alive connections. */
  close(): void;
}

export function createWebhooks(deps: TriggerModuleDeps & { resolve?: Resolver }): WebhooksModule {
  const webhook = deps.config.triggers.webhook;
  const policy = createAddressPolicy(webhook.allowedNetworks);
  const service = new EndpointService({ db: deps.db, clock: deps.clock, secretKey: deps.secretKey, policy, resolve: deps.resolve });
  const endpoints = createEndpointDirectory({ db: deps.db, clock: deps.clock, secretKey: deps.secretKey, logger: deps.logger, webhook });
  const sender = createWebhookSender({ webhook, policy, clock: deps.clock, resolve: deps.resolve });
  return { endpoints, sender, apiRoutes: endpointRoutes(service), service, policy, close: () => sender.close() };
}
