-- Analytics sessions: what the rollup makes of raw probes, and what every
-- dashboard metric is computed from. device_key is pseudonymous: the salted
-- hash of a linked device (rotates with the salt), or, for devices known
-- through the portal, a keyed hash that stays stable so repeat visits count.
-- zone_id NULL is the venue-level session; zone rows give routes and zone metrics.

CREATE TABLE analytics_sessions (
  org_id uuid NOT NULL,
  venue_id uuid NOT NULL,
  zone_id uuid,
  device_key bytea NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL CHECK (ended_at >= started_at),
  strong_seconds integer NOT NULL CHECK (strong_seconds >= 0),
  probes integer NOT NULL CHECK (probes > 0),
  max_rssi smallint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('visitor', 'passerby')),
  known boolean NOT NULL DEFAULT false,
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE
);
CREATE INDEX analytics_sessions_venue_time_idx ON analytics_sessions (venue_id, started_at);
CREATE INDEX analytics_sessions_org_time_idx ON analytics_sessions (org_id, started_at);

-- How far each venue's probes have been rolled up into sessions.
CREATE TABLE analytics_rollups (
  venue_id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  done_until timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE
);
