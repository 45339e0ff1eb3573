import type { Db } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import type { SecretBox } from '../shared/secret-box.js';
import { validate } from '../shared/validate.js';
import type { VenueService } from '../tenancy/index.js';
import {
  portalOrgSettingsInputSchema,
  portalOrgSettingsSchema,
  portalVenueSettingsSchema,
  type PortalOrgSettings,
  type PortalVenueSettings,
} from './portal.settings.js';
import { PortalSettingsRepository } from './settings.repository.js';

export interface OrgPortalConfig {
  settings: PortalOrgSettings;
  /** Opened CRM signing secret, for the CRM client only. */
  crmSecret: string | undefined;
}

/** Reads and writes the portal's organisation and venue settings; secrets sealed at rest. */
export class PortalSettingsService {
  private readonly repo: PortalSettingsRepository;

  constructor(private readonly deps: { db: Db; clock: Clock; secretBox: SecretBox; venues: VenueService }) {
    this.repo = new PortalSettingsRepository(deps.db);
  }

  async org(orgId: string): Promise<OrgPortalConfig> {
    const row = await this.repo.getOrg(orgId);
    return {
      settings: portalOrgSettingsSchema.parse(row?.settings ?? {}),
      crmSecret: row?.crmSecret ? this.deps.secretBox.open(row.crmSecret) : undefined,
    };
  }

  /** What the API shows: settings plus whether a CRM secret is set, never the secret. */
  async describeOrg(orgId: string): Promise<PortalOrgSettings & { crmSecretSet: boolean }> {
    const { settings, crmSecret } = await this.org(orgId);
    return { ...settings, crmSecretSet: crmSecret !== undefined };
  }

  async putOrg(orgId: string, input: unknown): Promise<PortalOrgSettings & { crmSecretSet: boolean }> {
    const { crmSecret, ...settings } = validate(portalOrgSettingsInputSchema, input);
    const sealed = crmSecret === undefined || crmSecret === null ? crmSecret : this.deps.secretBox.seal(crmSecret);
    await this.repo.putOrg(orgId, settings, sealed, this.deps.clock.now());
    return this.describeOrg(orgId);
  }

  async venue(orgId: string, venueId: string): Promise<PortalVenueSettings> {
    return (await this.venueWithName(orgId, venueId)).settings;
  }

  /** The venue's name and portal settings, for guest pages: one venue lookup, not two. */
  async venueWithName(orgId: string, venueId: string): Promise<{ name: string; settings: PortalVenueSettings }> {
    const [venue, stored] = await Promise.all([this.deps.venues.get(orgId, venueId), this.repo.getVenue(orgId, venueId)]);
    return { name: venue.name, settings: portalVenueSettingsSchema.parse(stored ?? {}) };
  }

  async putVenue(orgId: string, venueId: string, input: unknown): Promise<PortalVenueSettings> {
    await this.deps.venues.get(orgId, venueId);
    const settings = validate(portalVenueSettingsSchema, input);
    await this.repo.putVenue(orgId, venueId, settings, this.deps.clock.now());
    return settings;
  }
}
