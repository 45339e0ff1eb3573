/**
 * One probe request, as parsed from any supported input (NDJSON/JSON, CSV,
 * pcap/pcapng) and as printed by `passby probes`. This is the boundary type
 * between the parsers and everything else; it carries the raw MAC, so it
 * lives only in memory (files, the offline pipeline, the ingest request):
 * the ingest service hashes `mac` before anything is stored or queued.
 */
export interface Probe {
  /** Receive time, epoch seconds (fractional). */
  ts: number;
  /** Sensor id or name as given by the input, when it names one. */
  sensor?: string;
  /** Transmitter address, normalised to lowercase `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** Received signal, dBm (the first antenna value when there are several). */
  rssi: number;
  /** 802.11 sequence number, 0..4095. */
  seq?: number;
  ssid?: string;
  channel?: number;
  /** Device-model fingerprint: the ordered IE ids plus vendor OUIs. */
  fp?: string;
  /** Hex of the tagged information elements, when the input carries them. */
  ies?: string;
}
