import type { Db } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { AppError, notFound } from '../shared/errors.js';
import { isId, newId } from '../shared/ids.js';
import { validate } from '../shared/validate.js';
import { venueInputSchema, venuePatchSchema, zoneInputSchema } from './tenancy.schemas.js';
import { VenueRepository, type Venue, type Zone } from './venue.repository.js';

/** Venues and zones of one organisation; every method takes the caller's orgId. */
export class VenueService {
  private readonly repo: VenueRepository;

  constructor(private readonly deps: { db: Db; clock: Clock }) {
    this.repo = new VenueRepository(deps.db);
  }

  list(orgId: string): Promise<Venue[]> {
    return this.repo.list(orgId);
  }

  async get(orgId: string, venueId: string): Promise<Venue> {
    const venue = isId(venueId) ? await this.repo.get(orgId, venueId) : undefined;
    if (!venue) throw notFound('Venue');
    return venue;
  }

  async create(orgId: string, input: unknown): Promise<Venue> {
    const data = validate(venueInputSchema, input);
    return this.repo.insert({ id: newId(), orgId, ...data });
  }

  async update(orgId: string, venueId: string, patch: unknown): Promise<Venue> {
    const data = validate(venuePatchSchema, patch);
    const venue = isId(venueId) ? await this.repo.update(orgId, venueId, data, this.deps.clock.now()) : undefined;
    if (!venue) throw notFound('Venue');
    return venue;
  }

  async remove(orgId: string, venueId: string): Promise<void> {
    if (!isId(venueId) || !(await this.repo.remove(orgId, venueId))) throw notFound('Venue');
  }

  async listZones(orgId: string, venueId: string): Promise<Zone[]> {
    await this.get(orgId, venueId);
    return this.repo.listZones(orgId, venueId);
  }

  async getZone(orgId: string, zoneId: string): Promise<Zone> {
    const zone = isId(zoneId) ? await this.repo.getZone(orgId, zoneId) : undefined;
    if (!zone) throw notFound('Zone');
    return zone;
  }

  async createZone(orgId: string, venueId: string, input: unknown): Promise<Zone> {
    const data = validate(zoneInputSchema, input);
    await this.get(orgId, venueId);
    return this.repo.insertZone({ id: newId(), orgId, venueId, name: data.name });
  }

  /** Resolves where a device (gateway, sensor) sits: the venue, and the zone if given, which must be in that venue. */
  async placement(orgId: string, venueId: string, zoneId: string | undefined): Promise<{ venue: Venue; zone: Zone | undefined }> {
    const venue = await this.get(orgId, venueId);
    if (zoneId === undefined) return { venue, zone: undefined };
    const zone = await this.getZone(orgId, zoneId);
    if (zone.venueId !== venue.id) throw new AppError('VALIDATION_FAILED', `Zone ${zone.id} is not in venue ${venue.id}`);
    return { venue, zone };
  }

  async removeZone(orgId: string, zoneId: string): Promise<void> {
    if (!isId(zoneId) || !(await this.repo.removeZone(orgId, zoneId))) throw notFound('Zone');
  }
}
