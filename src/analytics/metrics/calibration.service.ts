import { z } from 'zod';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { validate } from '../../shared/validate.js';
import type { VenueService } from '../../tenancy/index.js';
import { calibrateSessions, type CalibrationReport } from './calibration.js';
import { CalibrationRepository, type StoredCalibration } from './calibration.repository.js';
import { SessionRepository } from './session.repository.js';

const instant = z.union([z.number(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s) / 1000)]);

const uploadSchema = z
  .strictObject({
    kind: z.enum(['footfall', 'occupancy']),
    intervalSeconds: z.number().int().min(60).max(86_400),
    counts: z.array(z.strictObject({ start: instant, count: z.number().min(0) })).min(3, 'at least 3 counted intervals are needed for a fit').max(10_000),
    calibrateUntil: instant.optional(),
    method: z.enum(['auto', 'factor', 'linear']).default('auto'),
  })
  .superRefine((input, ctx) => {
    const starts = input.counts.map((c) => c.start).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) {
      if ((starts[i] as number) < (starts[i - 1] as number) + input.intervalSeconds) {
        ctx.addIssue({ code: 'custom', path: ['counts'], message: `counted intervals overlap or repeat at ${new Date((starts[i] as number) * 1000).toISOString()}` });
        return;
      }
    }
  });

/**
 * Manual counts for a venue (a clicker survey at the door, or people present
 * at set times) and the calibration fitted on them, which the metrics then
 * apply. Re-uploading replaces the counts of that kind.
 */
export class CalibrationService {
  private readonly repo: CalibrationRepository;
  private readonly sessions: SessionRepository;

  constructor(private readonly deps: { db: Db; clock: Clock; venues: VenueService }) {
    this.repo = new CalibrationRepository(deps.db);
    this.sessions = new SessionRepository(deps.db);
  }

  async upload(orgId: string, venueId: string, input: unknown): Promise<CalibrationReport> {
    await this.deps.venues.get(orgId, venueId);
    const data = validate(uploadSchema, input);
    const starts = data.counts.map((c) => c.start);
    const sessions = await this.sessions.list(venueId, Math.min(...starts), Math.max(...starts) + data.intervalSeconds, 'venue');
    const report = calibrateSessions({ sessions, counts: data.counts, kind: data.kind, intervalSeconds: data.intervalSeconds, calibrateUntil: data.calibrateUntil ?? null, method: data.method });
    await this.repo.save(orgId, venueId, data.counts, report, this.deps.clock.now());
    return report;
  }

  async list(orgId: string, venueId: string): Promise<StoredCalibration[]> {
    await this.deps.venues.get(orgId, venueId);
    return this.repo.list(venueId);
  }
}
