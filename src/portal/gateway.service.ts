import { randomBytes } from 'node:crypto';
import type { Db } from '../db/pool.js';
import { notFound } from '../shared/errors.js';
import { isId, newId } from '../shared/ids.js';
import type { SecretBox } from '../shared/secret-box.js';
import { validate } from '../shared/validate.js';
import type { VenueService } from '../tenancy/index.js';
import { GatewayRepository, type GatewayRecord } from './gateway.repository.js';
import { gatewayInputSchema } from './gateway.schemas.js';

export type GatewaySecrets = { faskey: string } | { operatorPassword: string; caCertPem?: string };

/** A gateway as shown to staff and the API: settings, never secrets. */
export type Gateway = Omit<GatewayRecord, 'secrets'>;

export interface GatewayWithSecrets {
  gateway: Gateway;
  secrets: GatewaySecrets;
}

export interface CreatedGateway {
  gateway: Gateway;
  /** Shown once at creation: the openNDS faskey to paste into the device (Omada's password came from the caller). */
  secrets: { faskey: string } | Record<string, never>;
}

function withoutSecrets({ secrets: _sealed, ...gateway }: GatewayRecord): Gateway {
  return gateway;
}

export class GatewayService {
  private readonly repo: GatewayRepository;

  constructor(private readonly deps: { db: Db; secretBox: SecretBox; venues: VenueService }) {
    this.repo = new GatewayRepository(deps.db);
  }

  async create(orgId: string, input: unknown): Promise<CreatedGateway> {
    const data = validate(gatewayInputSchema, input);
    await this.deps.venues.placement(orgId, data.venueId, data.zoneId);
    const base = { id: newId(), orgId, venueId: data.venueId, zoneId: data.zoneId ?? null, name: data.name };
    if (data.kind === 'opennds') {
      // openNDS NUL-pads or truncates the faskey to 32 bytes: 32 base64url characters use all of it.
      const faskey = randomBytes(24).toString('base64url');
      const record = await this.repo.insert({
        ...base,
        kind: 'opennds',
        settings: { fasLevel: data.fasLevel },
        secrets: this.deps.secretBox.seal(JSON.stringify({ faskey })),
      });
      return { gateway: withoutSecrets(record), secrets: { faskey } };
    }
    const secrets: GatewaySecrets = { operatorPassword: data.operatorPassword, ...(data.caCertPem ? { caCertPem: data.caCertPem } : {}) };
    const record = await this.repo.insert({
      ...base,
      kind: 'omada',
      settings: { controllerUrl: data.controllerUrl, site: data.site ?? null, operatorUsername: data.operatorUsername, timeUnit: data.timeUnit },
      secrets: this.deps.secretBox.seal(JSON.stringify(secrets)),
    });
    return { gateway: withoutSecrets(record), secrets: {} };
  }

  async list(orgId: string): Promise<Gateway[]> {
    return (await this.repo.list(orgId)).map(withoutSecrets);
  }

  async get(orgId: string, id: string): Promise<Gateway> {
    const record = isId(id) ? await this.repo.get(orgId, id) : undefined;
    if (!record) throw notFound('Gateway');
    return withoutSecrets(record);
  }

  /** For the portal's adapters only: the gateway with its secrets opened. */
  async getWithSecrets(orgId: string, id: string): Promise<GatewayWithSecrets> {
    const record = isId(id) ? await this.repo.get(orgId, id) : undefined;
    if (!record) throw notFound('Gateway');
    return this.open(record);
  }

  /** The portal's landing: the gateway id comes from the URL the device was configured with. */
  async findForPortal(id: string): Promise<GatewayWithSecrets | undefined> {
    const record = isId(id) ? await this.repo.getById(id) : undefined;
    return record && this.open(record);
  }

  private open(record: GatewayRecord): GatewayWithSecrets {
    return { gateway: withoutSecrets(record), secrets: JSON.parse(this.deps.secretBox.open(record.secrets)) as GatewaySecrets };
  }
}
