import { z } from 'zod';
import { withTransaction, type Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import { isId, newId } from '../../shared/ids.js';
import { createSecretBox, type SecretBox } from '../../shared/secret-box.js';
import { validate } from '../../shared/validate.js';
import { TRIGGER_EVENT_TYPES } from '../trigger-event.js';
import type { Resolver } from './address-guard.js';
import { EndpointRepository, type WebhookEndpoint } from './endpoint.repository.js';
import type { AddressPolicy } from './ssrf.js';
import { generateSecret } from './standard-webhooks.js';
import { WebhookActivityRepository, type EndpointLastResult } from './webhook-activity.repository.js';
import { checkWebhookUrl, MAX_URL_LENGTH } from './webhook-url.js';

/** Endpoints may subscribe to the event types that trigger rules, or to every firing ('trigger.fired'). */
export const ENDPOINT_EVENT_TYPES = [...TRIGGER_EVENT_TYPES, 'trigger.fired'] as const;
export const SECRET_PURPOSE = 'webhook-secrets/v1';
export const DEFAULT_OVERLAP_HOURS = 24;

const urlSchema = z.string().trim().min(1, { message: 'required' }).max(MAX_URL_LENGTH);
const descriptionSchema = z.string().trim().max(500);
const eventTypesSchema = z
  .array(z.enum(ENDPOINT_EVENT_TYPES))
  .max(ENDPOINT_EVENT_TYPES.length)
  .transform((types) => [...new Set(types)]);

const createSchema = z.strictObject({ url: urlSchema, description: descriptionSchema.default(''), eventTypes: eventTypesSchema.default([]) });
const patchSchema = z.strictObject({
  url: urlSchema.optional(),
  description: descriptionSchema.optional(),
  eventTypes: eventTypesSchema.optional(),
  enabled: z.boolean().optional(),
});
const rotateSchema = z.strictObject({ overlapHours: z.number().int().min(0).max(168).default(DEFAULT_OVERLAP_HOURS) });

/** What the API shows of an endpoint: never its secrets. */
export interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  createdAt: string;
  secretCount: number;
}

export function toView(e: WebhookEndpoint): EndpointView {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    failingSince: e.failingSince?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    secretCount: e.secretCount,
  };
}

export interface EndpointServiceDeps {
  db: Db;
  clock: Clock;
  secretKey: string;
  policy: AddressPolicy;
  /** Tests may swap DNS; the system resolver otherwise. */
  resolve?: Resolver;
}

/** CRUD and secret rotation for an organisation's CRM webhook endpoints. */
export class EndpointService {
  private readonly repo: EndpointRepository;
  private readonly activity: WebhookActivityRepository;
  private readonly box: SecretBox;

  constructor(private readonly deps: EndpointServiceDeps) {
    this.repo = new EndpointRepository(deps.db);
    this.activity = new WebhookActivityRepository(deps.db);
    this.box = createSecretBox(deps.secretKey, SECRET_PURPOSE);
  }

  async list(orgId: string): Promise<EndpointView[]> {
    return (await this.repo.list(orgId, this.deps.clock.now())).map(toView);
  }

  async get(orgId: string, id: string): Promise<EndpointView> {
    const found = isId(id) ? await this.repo.find(orgId, id, this.deps.clock.now()) : undefined;
    if (!found) throw notFound('Webhook endpoint');
    return toView(found);
  }

  /** Creates the endpoint and its first secret, returned here only. */
  async create(orgId: string, input: unknown): Promise<{ endpoint: EndpointView; secret: string }> {
    const data = validate(createSchema, input);
    const url = await checkWebhookUrl(data.url, this.deps.policy, this.deps.resolve);
    const id = newId();
    const secret = generateSecret();
    const now = this.deps.clock.now();
    await withTransaction(this.deps.db, async (client) => {
      const repo = new EndpointRepository(client);
      await repo.insert({ id, orgId, url, description: data.description, eventTypes: data.eventTypes }, now);
      await repo.addSecret({ id: newId(), orgId, endpointId: id, sealed: this.box.seal(secret) }, now);
    });
    return { endpoint: await this.get(orgId, id), secret };
  }

  async update(orgId: string, id: string, input: unknown): Promise<EndpointView> {
    const data = validate(patchSchema, input ?? {});
    if (!isId(id)) throw notFound('Webhook endpoint');
    const url = data.url === undefined ? undefined : await checkWebhookUrl(data.url, this.deps.policy, this.deps.resolve);
    if (!(await this.repo.update(orgId, id, { ...data, url }, this.deps.clock.now()))) throw notFound('Webhook endpoint');
    return this.get(orgId, id);
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!isId(id) || !(await this.repo.delete(orgId, id))) throw notFound('Webhook endpoint');
  }

  /** A new secret; the current ones keep signing for `overlapHours` (0: stop at once), so receivers can switch. */
  async rotateSecret(orgId: string, id: string, input: unknown): Promise<{ secret: string; previousExpiresAt: string }> {
    const { overlapHours } = validate(rotateSchema, input ?? {});
    await this.get(orgId, id);
    const now = this.deps.clock.now();
    const previousExpiresAt = new Date(now.getTime() + overlapHours * 3_600_000);
    const secret = generateSecret();
    await withTransaction(this.deps.db, async (client) => {
      const repo = new EndpointRepository(client);
      await repo.expireSecrets(orgId, id, previousExpiresAt, now);
      await repo.addSecret({ id: newId(), orgId, endpointId: id, sealed: this.box.seal(secret) }, now);
    });
    return { secret, previousExpiresAt: previousExpiresAt.toISOString() };
  }

  /** Each endpoint's latest tried delivery and its last attempt, by endpoint id (endpoints never tried are absent). */
  async lastResults(orgId: string): Promise<Map<string, EndpointLastResult>> {
    return new Map((await this.activity.lastResults(orgId)).map((r) => [r.endpointId, r]));
  }

  /** How many webhook deliveries failed for good in the last `hours`. */
  async failedDeliveries(orgId: string, hours: number): Promise<number> {
    return this.activity.failedSince(orgId, new Date(this.deps.clock.now().getTime() - hours * 3_600_000));
  }
}
