/**
 * A probe from a matchable device: one whose MAC's organisation HMAC is bound
 * to a visitor who signed in through the portal. The ingest service hands
 * these to presence tracking; the raw MAC never leaves the ingest request.
 */
export interface KnownSighting {
  /** Organisation-keyed HMAC of the MAC (same as device_bindings.device_hash). */
  deviceHash: string;
  visitorId: string;
  /** Epoch seconds. */
  ts: number;
  rssi: number;
}

export interface SightingBatch {
  orgId: string;
  venueId: string;
  zoneId: string | null;
  sensorId: string;
  /** Stable per ingest batch (sensor id + batch id), so a retried batch is not tracked twice. */
  batchKey: string;
  sightings: KnownSighting[];
}

/** Where ingest sends known sightings; resolves once they are durably queued. */
export interface PresenceSink {
  record(batch: SightingBatch): Promise<void>;
}
