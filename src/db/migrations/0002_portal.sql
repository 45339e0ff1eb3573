-- Captive portal: visitors (verified phones), device bindings, consent ledger,
-- login log, and the portal's per-organisation and per-venue settings.
-- Devices are identified only by a keyed HMAC of their MAC (device_hash): the
-- raw MAC never reaches the database.

CREATE TABLE portal_org_settings (
  org_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Sealed (AES-256-GCM) secret used to sign requests to the organisation's CRM.
  crm_secret text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE portal_venue_settings (
  venue_id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE
);

CREATE TABLE visitors (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  phone text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_verified_at timestamptz NOT NULL,
  UNIQUE (org_id, phone),
  UNIQUE (id, org_id)
);

CREATE TABLE device_bindings (
  org_id uuid NOT NULL,
  device_hash text NOT NULL CHECK (device_hash ~ '^[0-9a-f]{64}$'),
  visitor_id uuid NOT NULL,
  -- Locally administered MAC: a per-network (or rotating) random address.
  randomised boolean NOT NULL,
  bound_at timestamptz NOT NULL DEFAULT now(),
  verified_at timestamptz NOT NULL,
  last_login_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, device_hash),
  FOREIGN KEY (visitor_id, org_id) REFERENCES visitors (id, org_id) ON DELETE CASCADE
);
CREATE INDEX device_bindings_visitor_idx ON device_bindings (visitor_id);

-- Append-only: the current state of a purpose is its latest row. Venue and
-- gateway are kept as plain ids so the evidence outlives a deleted venue.
CREATE TABLE consent_events (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  visitor_id uuid NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('terms', 'sms_marketing', 'crm_sharing')),
  granted boolean NOT NULL,
  text_version text NOT NULL CHECK (char_length(text_version) BETWEEN 1 AND 100),
  venue_id uuid,
  gateway_id uuid,
  method text NOT NULL CHECK (method IN ('portal_form', 'sms_stop', 'api', 'admin')),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (visitor_id, org_id) REFERENCES visitors (id, org_id) ON DELETE CASCADE
);
CREATE INDEX consent_events_current_idx ON consent_events (org_id, visitor_id, purpose, recorded_at DESC);

-- Kept for the organisation's retention period (public Wi-Fi identification
-- rules), independently of the visitor row: the phone is copied on purpose.
CREATE TABLE portal_logins (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  phone text NOT NULL,
  device_hash text NOT NULL,
  venue_id uuid NOT NULL,
  gateway_id uuid NOT NULL,
  method text NOT NULL CHECK (method IN ('sms_code', 'returning_device')),
  consents jsonb NOT NULL,
  logged_in_at timestamptz NOT NULL
);
CREATE INDEX portal_logins_phone_idx ON portal_logins (org_id, phone, logged_in_at);
CREATE INDEX portal_logins_time_idx ON portal_logins (logged_in_at);
