import { z } from 'zod';
import type { Db } from '../db/pool.js';
import { newId } from '../shared/ids.js';
import { issueToken, parseToken, tokenMatches } from '../shared/tokens.js';
import { validate } from '../shared/validate.js';
import type { VenueService } from '../tenancy/index.js';
import { nameSchema } from '../tenancy/tenancy.schemas.js';
import { SensorRepository, type Sensor } from './sensor.repository.js';

const MINUTE_MS = 60_000;

/** What POST /api/v1/sensors and the admin form send. */
export const sensorInputSchema = z.strictObject({ venueId: z.string(), zoneId: z.string().optional(), name: nameSchema });

export class SensorService {
  private readonly repo: SensorRepository;

  constructor(private readonly deps: { db: Db; venues: VenueService }) {
    this.repo = new SensorRepository(deps.db);
  }

  /** Registers a sensor and returns its ingest token, shown once (only a hash is kept). */
  async create(orgId: string, input: unknown): Promise<{ sensor: Sensor; token: string }> {
    const data = validate(sensorInputSchema, input);
    await this.deps.venues.placement(orgId, data.venueId, data.zoneId);
    const issued = issueToken('pbs');
    const sensor = await this.repo.insert({
      id: newId(),
      orgId,
      venueId: data.venueId,
      zoneId: data.zoneId ?? null,
      name: data.name,
      lookup: issued.lookup,
      tokenHash: issued.hash,
    });
    return { sensor, token: issued.token };
  }

  list(orgId: string): Promise<Sensor[]> {
    return this.repo.list(orgId);
  }

  /**
   * Probes per minute for each of the organisation's sensors over the `minutes`
   * minutes ending with the one `now` falls in, oldest first (0 for a quiet
   * minute). Sensors that sent nothing in the window are absent.
   */
  async probesPerMinute(orgId: string, now: Date, minutes = 60): Promise<Map<string, number[]>> {
    const last = Math.floor(now.getTime() / MINUTE_MS);
    const first = last - minutes + 1;
    const rows = await this.repo.minuteCounts(orgId, new Date(first * MINUTE_MS), new Date((last + 1) * MINUTE_MS));
    const series = new Map<string, number[]>();
    for (const row of rows) {
      const counts = series.get(row.sensorId) ?? new Array<number>(minutes).fill(0);
      counts[row.minute - first] = row.probes;
      series.set(row.sensorId, counts);
    }
    return series;
  }

  /** The sensor an ingest token belongs to, or undefined for any bad token. */
  async authenticate(token: string): Promise<Sensor | undefined> {
    const parsed = parseToken('pbs', token);
    if (!parsed) return undefined;
    const found = await this.repo.findByLookup(parsed.lookup);
    if (!found || !tokenMatches(token, found.tokenHash)) return undefined;
    const { tokenHash: _hash, ...sensor } = found;
    return sensor;
  }
}
