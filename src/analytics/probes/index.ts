/** The probe parsers: every input format to `Probe` records. Other features import from here. */
export { fingerprintOf } from './fingerprint.js';
export { probeFromJson } from './json.js';
export type { Probe } from './probe.js';
export { readProbeBatches, readProbeBatchesFromStream, readProbeRecords, readProbeRecordsFromStream, type ProbeRecord, type ReadOptions } from './read.js';
