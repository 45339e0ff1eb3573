-- Trigger engine: marketer rules (versioned), CRM webhook endpoints, the
-- decision and delivery logs, the SMS suppression list, and what the engine
-- knows about visitors (CRM attributes, visit counts). No raw MAC anywhere;
-- phone numbers only where the visitor row already holds them.

CREATE TABLE trigger_org_settings (
  org_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
  -- {dailyCapPerVisitor, quietHours:{from,to}, optOutLine}
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The current version of each rule; every saved version is kept in trigger_rule_versions.
CREATE TABLE trigger_rules (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  name text NOT NULL,
  enabled boolean NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Deleted rules stay for the decision log's sake; they never evaluate again.
  deleted_at timestamptz,
  UNIQUE (id, org_id)
);
CREATE INDEX trigger_rules_org_idx ON trigger_rules (org_id) WHERE deleted_at IS NULL;

CREATE TABLE trigger_rule_versions (
  rule_id uuid NOT NULL,
  org_id uuid NOT NULL,
  version integer NOT NULL,
  definition jsonb NOT NULL,
  saved_at timestamptz NOT NULL,
  PRIMARY KEY (rule_id, version),
  FOREIGN KEY (rule_id, org_id) REFERENCES trigger_rules (id, org_id) ON DELETE CASCADE
);

CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  url text NOT NULL,
  description text NOT NULL DEFAULT '',
  -- Event types this endpoint receives; empty means all.
  event_types text[] NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text,
  disabled_at timestamptz,
  -- Start of the current run of failed attempts (null while healthy).
  failing_since timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (id, org_id)
);

-- Signing secrets, sealed (AES-256-GCM). Rotation adds one and gives the old one an expiry: both sign meanwhile.
CREATE TABLE webhook_endpoint_secrets (
  id uuid PRIMARY KEY,
  endpoint_id uuid NOT NULL,
  org_id uuid NOT NULL,
  sealed_secret text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  FOREIGN KEY (endpoint_id, org_id) REFERENCES webhook_endpoints (id, org_id) ON DELETE CASCADE
);
CREATE INDEX webhook_endpoint_secrets_endpoint_idx ON webhook_endpoint_secrets (endpoint_id);

-- One row per (rule, event): re-delivered events find their decision and do nothing.
CREATE TABLE trigger_decisions (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  rule_id uuid NOT NULL,
  rule_version integer NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  venue_id uuid,
  zone_id uuid,
  -- Kept on erasure as a pseudonymous id (the visitor row is gone).
  visitor_id uuid,
  outcome text NOT NULL CHECK (outcome IN ('fired', 'suppressed')),
  reason text,
  -- [{condition, expected, actual, passed}] and the planned actions.
  trace jsonb NOT NULL,
  actions jsonb NOT NULL DEFAULT '[]'::jsonb,
  occurred_at timestamptz NOT NULL,
  decided_at timestamptz NOT NULL,
  UNIQUE (org_id, rule_id, event_id)
);
CREATE INDEX trigger_decisions_visitor_idx ON trigger_decisions (org_id, visitor_id, decided_at) WHERE outcome = 'fired';
CREATE INDEX trigger_decisions_rule_visitor_idx ON trigger_decisions (rule_id, visitor_id, decided_at) WHERE outcome = 'fired';
CREATE INDEX trigger_decisions_time_idx ON trigger_decisions (org_id, decided_at);

-- One row per action and target (endpoint or phone); its id is the webhook-id / idempotency key.
CREATE TABLE trigger_deliveries (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  decision_id uuid NOT NULL REFERENCES trigger_decisions (id) ON DELETE CASCADE,
  rule_id uuid NOT NULL,
  visitor_id uuid,
  channel text NOT NULL CHECK (channel IN ('webhook', 'sms')),
  endpoint_id uuid,
  status text NOT NULL CHECK (status IN ('pending', 'held', 'delivered', 'failed', 'suppressed')),
  reason text,
  -- Webhook: the event body as first built (re-signed per attempt). SMS: the rendered text.
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  -- [{at, statusCode, error, durationMs}] of the latest attempts.
  attempt_log jsonb NOT NULL DEFAULT '[]'::jsonb,
  provider_id text,
  not_before timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  delivered_at timestamptz,
  UNIQUE (decision_id, channel, endpoint_id)
);
CREATE INDEX trigger_deliveries_org_idx ON trigger_deliveries (org_id, created_at DESC);
CREATE INDEX trigger_deliveries_status_idx ON trigger_deliveries (org_id, status, created_at DESC);
CREATE INDEX trigger_deliveries_provider_idx ON trigger_deliveries (provider_id) WHERE provider_id IS NOT NULL;

-- Numbers that must never get marketing SMS (STOP replies, Twilio 21610, admin). Keyed HMAC of the
-- E.164 number, so the list outlives an erased visitor without keeping the number.
CREATE TABLE sms_suppressions (
  phone_hash text NOT NULL CHECK (phone_hash ~ '^[0-9a-f]{64}$'),
  -- null: every organisation (a STOP to the shared sender number).
  org_id uuid REFERENCES organisations (id) ON DELETE CASCADE,
  reason text NOT NULL CHECK (reason IN ('stop_reply', 'carrier_unsubscribed', 'admin', 'opt_out_link')),
  created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX sms_suppressions_key ON sms_suppressions (phone_hash, coalesce(org_id, '00000000-0000-0000-0000-000000000000'::uuid));

-- CRM attributes pushed through the API, and loyalty membership.
CREATE TABLE visitor_attributes (
  visitor_id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  loyalty_member boolean NOT NULL DEFAULT false,
  attributes jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL,
  FOREIGN KEY (visitor_id, org_id) REFERENCES visitors (id, org_id) ON DELETE CASCADE
);

-- Visits per visitor and venue as the engine saw them (entered/login events), for audience conditions.
CREATE TABLE visitor_visit_stats (
  visitor_id uuid NOT NULL,
  org_id uuid NOT NULL,
  venue_id uuid NOT NULL,
  visits integer NOT NULL,
  first_visit_at timestamptz NOT NULL,
  last_visit_at timestamptz NOT NULL,
  -- The visit counted before the last one: "days since the last visit" for events of the visit in hand.
  previous_visit_at timestamptz,
  -- The visit last counted (its start), so a visit's several events count once.
  last_visit_key text NOT NULL,
  PRIMARY KEY (visitor_id, venue_id),
  FOREIGN KEY (visitor_id, org_id) REFERENCES visitors (id, org_id) ON DELETE CASCADE
);

-- Consent can now also be given or withdrawn by SMS reply, by the link in every SMS, and by erasure.
ALTER TABLE consent_events DROP CONSTRAINT consent_events_method_check;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_method_check
  CHECK (method IN ('portal_form', 'sms_stop', 'sms_start', 'opt_out_link', 'portal_preferences', 'api', 'admin'));
