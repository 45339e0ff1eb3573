/**
 * What the analytics pipeline consumes: a probe reduced to what counting
 * needs. `key` identifies the transmitter address: the raw MAC offline
 * (`passby analyze`), a salted hash of it online, so the same pure steps run
 * on files and on stored probes without ever needing the MAC itself.
 */
export interface Observation {
  /** Epoch seconds (fractional). */
  t: number;
  sensor: string;
  key: string;
  /** Locally administered (randomised) source address. */
  randomised: boolean;
  rssi: number;
  /** 802.11 sequence number 0..4095, or null when the input lacks it. */
  seq: number | null;
  /** Grouping key for sequence linking: the IE fingerprint (plus band when known); '' is the catch-all group. */
  group: string;
}
