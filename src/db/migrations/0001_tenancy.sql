-- Tenancy: organisation -> venues -> zones; gateways and sensors sit in a venue
-- (optionally a zone). Every tenant-owned row carries org_id, and children
-- reference their parent through (id, org_id), so the database itself refuses
-- a zone of one organisation under a venue of another.
-- Needs PostgreSQL 15+ (ON DELETE SET NULL with a column list).

CREATE TABLE organisations (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_users (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
  name text NOT NULL DEFAULT '',
  role text NOT NULL CHECK (role IN ('owner', 'marketer', 'analyst')),
  password_hash text NOT NULL,
  disabled_at timestamptz,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, org_id)
);
CREATE UNIQUE INDEX staff_users_email_key ON staff_users (email);
CREATE INDEX staff_users_org_idx ON staff_users (org_id);

-- Only a SHA-256 of each key is kept; `lookup` is the public part used to find it.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  lookup text NOT NULL UNIQUE,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id);

CREATE TABLE venues (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  timezone text NOT NULL,
  address text NOT NULL DEFAULT '',
  opening_hours jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, org_id)
);
CREATE INDEX venues_org_idx ON venues (org_id);

CREATE TABLE zones (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  venue_id uuid NOT NULL,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (id, venue_id, org_id),
  UNIQUE (venue_id, name),
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE
);
CREATE INDEX zones_org_idx ON zones (org_id);

-- `secrets` is sealed JSON (AES-256-GCM under a key derived from SECRET_KEY).
CREATE TABLE gateways (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  venue_id uuid NOT NULL,
  zone_id uuid,
  kind text NOT NULL CHECK (kind IN ('opennds', 'omada')),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  secrets text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE,
  FOREIGN KEY (zone_id, venue_id, org_id) REFERENCES zones (id, venue_id, org_id) ON DELETE SET NULL (zone_id)
);
CREATE INDEX gateways_org_idx ON gateways (org_id);

CREATE TABLE sensors (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  venue_id uuid NOT NULL,
  zone_id uuid,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  lookup text NOT NULL UNIQUE,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE,
  FOREIGN KEY (zone_id, venue_id, org_id) REFERENCES zones (id, venue_id, org_id) ON DELETE SET NULL (zone_id)
);
CREATE INDEX sensors_org_idx ON sensors (org_id);

-- Staff web sessions (express-session store).
CREATE TABLE staff_sessions (
  sid text PRIMARY KEY,
  data jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX staff_sessions_expires_idx ON staff_sessions (expires_at);
