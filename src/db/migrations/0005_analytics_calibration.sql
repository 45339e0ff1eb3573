-- Manual counts uploaded for a venue, and the calibration fitted on them: the
-- estimate the dashboards show (footfall or occupancy from sessions) against
-- what people counted. One per venue and kind; an upload replaces it.
CREATE TABLE analytics_calibrations (
  org_id uuid NOT NULL,
  venue_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('footfall', 'occupancy')),
  interval_seconds integer NOT NULL CHECK (interval_seconds BETWEEN 60 AND 86400),
  -- [{start, count}] exactly as counted (epoch seconds).
  counts jsonb NOT NULL,
  method text NOT NULL CHECK (method IN ('auto', 'factor', 'linear')),
  calibrate_until timestamptz,
  -- The fit applied to the metrics (null when none could be made) and the full report.
  fit jsonb,
  report jsonb NOT NULL,
  uploaded_at timestamptz NOT NULL,
  PRIMARY KEY (venue_id, kind),
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE
);
