import { Router } from 'express';
import type { TriggerModuleDeps } from '../module-deps.js';
import type { EndpointDirectory, WebhookSender } from '../ports.js';

/** CRM webhook endpoints (secrets, rotation, health) and the SSRF-safe Standard Webhooks sender. */
export interface WebhooksModule {
  endpoints: EndpointDirectory;
  sender: WebhookSender;
  /** /webhook-endpoints CRUD, /webhook-endpoints/:id/rotate-secret (behind the API key). */
  apiRoutes: Router;
}

// Placeholder until the webhooks part lands.
export function createWebhooks(_deps: TriggerModuleDeps): WebhooksModule {
  const missing = () => Promise.reject(new Error('webhooks not built yet'));
  return { endpoints: { forAction: missing, get: missing, recordResult: missing }, sender: { send: missing }, apiRoutes: Router() };
}
