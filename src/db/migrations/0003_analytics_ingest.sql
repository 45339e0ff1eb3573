-- Analytics ingest: raw probe requests, the salts that key them, ingest batch
-- outcomes (idempotent retries) and per-venue analytics settings.
-- Privacy: no raw MAC and no SSID is stored. A probe keeps only `device_key`,
-- a keyed hash of its MAC under a per-organisation salt that changes every
-- period (a UTC day by default) and is deleted shortly after the period ends,
-- so stored keys can no longer be linked back to a MAC nor across periods.
-- Devices bound to a portal visitor (known) are the exception: their key is
-- cut from the organisation HMAC the binding already holds, so their repeat
-- visits count; they are the visitors who accepted the portal's terms.

-- Partitioned by UTC day on `ts`: retention drops whole partitions (never row
-- deletes, which would bloat and cost as much as the inserts). There is no
-- default partition on purpose: a probe for a day without one is an error,
-- and the ingest service creates the day's partition first.
-- No foreign keys: a per-row check would cost more than the row itself at
-- ingest rates; sensors and organisations are checked when the batch arrives.
CREATE TABLE probes (
  ts timestamptz NOT NULL,
  org_id uuid NOT NULL,
  sensor_id uuid NOT NULL,
  rssi smallint NOT NULL,
  seq smallint CHECK (seq BETWEEN 0 AND 4095),
  channel smallint,
  randomised boolean NOT NULL,
  -- The MAC's organisation HMAC is bound to a portal visitor (device_bindings).
  known boolean NOT NULL,
  device_key bytea NOT NULL CHECK (octet_length(device_key) = 16),
  -- First 8 bytes of SHA-256 of the IE fingerprint: a device-model group for sequence linking.
  fp_group bytea CHECK (octet_length(fp_group) = 8)
) PARTITION BY RANGE (ts);
CREATE INDEX probes_sensor_ts_idx ON probes (sensor_id, ts);

-- Creates the partition for one UTC day unless it exists; true when it created it.
-- Several processes may ask at once: an advisory lock serialises them and the
-- exception handler absorbs a partition created in between.
CREATE FUNCTION analytics_ensure_probe_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  part text := format('probes_p%s', to_char(day, 'YYYYMMDD'));
  lower_bound timestamptz := day::timestamp AT TIME ZONE 'UTC';
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('passby.probes.partitions'));
  BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF probes FOR VALUES FROM (%L) TO (%L)', part, lower_bound, lower_bound + interval '1 day');
  EXCEPTION WHEN duplicate_table OR unique_violation OR invalid_object_definition THEN
    RETURN false;
  END;
  RETURN true;
END;
$$;

SELECT analytics_ensure_probe_partition(d::date)
FROM generate_series((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 2, interval '1 day') AS d;

-- One random salt per organisation per period; deleted by the maintenance job
-- once period_end plus a grace has passed.
CREATE TABLE analytics_salts (
  org_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL CHECK (period_end > period_start),
  salt bytea NOT NULL CHECK (octet_length(salt) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, period_start)
);
CREATE INDEX analytics_salts_end_idx ON analytics_salts (period_end);

-- The outcome of each ingest batch, written in the same transaction as its
-- probes: a retried batch (same sensor, same id, same content digest) answers
-- this instead of storing its probes twice.
CREATE TABLE ingest_batches (
  sensor_id uuid NOT NULL REFERENCES sensors (id) ON DELETE CASCADE,
  batch_id text NOT NULL CHECK (char_length(batch_id) BETWEEN 1 AND 200),
  org_id uuid NOT NULL,
  -- SHA-256 of the batch content (the inflated request body).
  digest bytea NOT NULL,
  accepted integer NOT NULL CHECK (accepted >= 0),
  rejected integer NOT NULL CHECK (rejected >= 0),
  -- The first per-record problems ({line|index, reason}), capped.
  errors jsonb NOT NULL DEFAULT '[]'::jsonb,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (sensor_id, batch_id)
);
CREATE INDEX ingest_batches_received_idx ON ingest_batches (received_at);

-- Validated on read and write by venueAnalyticsSettingsSchema; absent means defaults.
CREATE TABLE analytics_venue_settings (
  venue_id uuid PRIMARY KEY,
  org_id uuid NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (venue_id, org_id) REFERENCES venues (id, org_id) ON DELETE CASCADE
);
