import type { Queryable } from '../../db/pool.js';
import type { Fit } from '../pipeline/calibration.js';
import type { CalibrationReport, CountKind, ManualCount } from './calibration.js';

export interface StoredCalibration {
  kind: CountKind;
  counts: ManualCount[];
  fit: Fit | null;
  report: CalibrationReport;
  uploadedAt: Date;
}

export class CalibrationRepository {
  constructor(private readonly db: Queryable) {}

  async save(orgId: string, venueId: string, counts: readonly ManualCount[], report: CalibrationReport, uploadedAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO analytics_calibrations (org_id, venue_id, kind, interval_seconds, counts, method, calibrate_until, fit, report, uploaded_at)
       VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7), $8, $9, $10)
       ON CONFLICT (venue_id, kind) DO UPDATE SET interval_seconds = EXCLUDED.interval_seconds, counts = EXCLUDED.counts, method = EXCLUDED.method,
         calibrate_until = EXCLUDED.calibrate_until, fit = EXCLUDED.fit, report = EXCLUDED.report, uploaded_at = EXCLUDED.uploaded_at`,
      [orgId, venueId, report.kind, report.intervalSeconds, JSON.stringify(counts), report.method, report.calibrateUntil, JSON.stringify(report.fit), JSON.stringify(report), uploadedAt],
    );
  }

  async list(venueId: string): Promise<StoredCalibration[]> {
    const { rows } = await this.db.query<StoredCalibration>(
      'SELECT kind, counts, fit, report, uploaded_at AS "uploadedAt" FROM analytics_calibrations WHERE venue_id = $1 ORDER BY kind',
      [venueId],
    );
    return rows;
  }
}
