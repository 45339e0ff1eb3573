import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LandingClient } from './gateways/access-point.js';
import type { Language } from './i18n.js';

export type FlowStep = 'welcome-back' | 'phone' | 'code' | 'consent' | 'loyalty' | 'pending' | 'online';

/**
 * One visitor's way through the portal, kept server-side in Redis. Captive
 * network assistants drop cookies between visits and some drop them between
 * pages, so the flow id travels in the URL and forms, and `csrf` must come
 * back with every POST.
 */
export interface FlowState {
  id: string;
  csrf: string;
  orgId: string;
  venueId: string;
  gatewayId: string;
  client: LandingClient;
  deviceHash: string;
  /** The address the portal saw at landing: the RFC 8908 API finds the client by it. */
  requestIp?: string;
  randomisedMac: boolean;
  language: Language;
  step: FlowStep;
  /** Masked phone of the visitor this device is bound to (welcome-back). */
  knownPhone?: string;
  phone?: string;
  codeSentAt?: string;
  verifiedAt?: string;
  loyalty?: { name?: string; birthday?: string; gender?: string };
  /** Where the browser goes once online (validated absolute http(s) URL). */
  continueUrl?: string;
  pendingReference?: string;
  createdAt: string;
}

const TTL_SECONDS = 30 * 60;

export class FlowStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  static newId(): string {
    return randomBytes(18).toString('base64url');
  }

  private key(id: string): string {
    return `${this.prefix}:portal:flow:${id}`;
  }

  async save(flow: FlowState): Promise<void> {
    await this.redis.set(this.key(flow.id), JSON.stringify(flow), 'EX', TTL_SECONDS);
  }

  async load(id: string): Promise<FlowState | undefined> {
    if (!/^[A-Za-z0-9_-]{24}$/.test(id)) return undefined;
    const raw = await this.redis.get(this.key(id));
    return raw === null ? undefined : (JSON.parse(raw) as FlowState);
  }

  async remove(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}
