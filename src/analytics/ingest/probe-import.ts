import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { isAppError } from '../../shared/errors.js';
import { readProbeRecordsFromStream } from '../probes/read.js';
import type { IngestRecord } from './batch-check.js';
import type { IngestService, IngestSensor } from './ingest.service.js';
import type { RecordProblem } from './ingest.repository.js';

export interface ImportProgress {
  file: string;
  /** Bytes read so far over all files, of `totalBytes`. */
  bytesRead: number;
  totalBytes: number;
  records: number;
  accepted: number;
  rejected: number;
  /** Batches already imported before (an import run twice stores nothing twice). */
  duplicateBatches: number;
}

export interface ImportSummary extends ImportProgress {
  files: number;
  /** The first problems, with the file they are in. */
  problems: (RecordProblem & { file: string })[];
  /** Files that could not be read to the end (their records before the damage were imported). */
  failedFiles: { file: string; error: string }[];
}

export interface ImportOptions {
  ingest: IngestService;
  sensor: IngestSensor;
  files: string[];
  batchSize: number;
  timeZone?: string;
  onProgress?: (progress: ImportProgress) => void;
}

const MAX_PROBLEMS = 100;

/** The file's bytes, counted as the reader takes them (progress by bytes, whatever the format). */
async function* counted(path: string, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    onBytes(chunk.length);
    yield chunk;
  }
}

/**
 * `passby import`: probe files (any format the readers know) through the same
 * ingest service as the HTTP endpoint, in batches. A batch's id is the hash of
 * its content, so importing a file again stores nothing twice. The records'
 * own `sensor` field is dropped: the operator named the sensor explicitly.
 */
export async function importProbeFiles(options: ImportOptions): Promise<ImportSummary> {
  const totalBytes = options.files.reduce((sum, file) => sum + statSync(file).size, 0);
  const summary: ImportSummary = { file: '', bytesRead: 0, totalBytes, records: 0, accepted: 0, rejected: 0, duplicateBatches: 0, files: 0, problems: [], failedFiles: [] };
  let batch: IngestRecord[] = [];
  const flush = async (file: string): Promise<void> => {
    if (batch.length === 0) return;
    const digest = createHash('sha256').update(JSON.stringify(batch)).digest();
    const outcome = await options.ingest.ingest(options.sensor, { id: `import-${digest.toString('hex').slice(0, 40)}`, digest, records: batch });
    batch = [];
    summary.accepted += outcome.accepted;
    summary.rejected += outcome.rejected;
    if (outcome.duplicate) summary.duplicateBatches += 1;
    for (const problem of outcome.errors) if (summary.problems.length < MAX_PROBLEMS) summary.problems.push({ file, ...problem });
    options.onProgress?.(summary);
  };
  for (const file of options.files) {
    summary.file = file;
    let index = 0;
    try {
      const source = counted(file, (n) => (summary.bytesRead += n));
      for await (const record of readProbeRecordsFromStream(source, { timeZone: options.timeZone })) {
        if (record.ok) {
          const { sensor: _ignored, ...probe } = record.probe;
          batch.push({ ok: true, probe, index });
        } else batch.push({ ok: false, error: record.error, line: record.line, offset: record.offset, index });
        index += 1;
        summary.records += 1;
        if (batch.length >= options.batchSize) await flush(file);
      }
    } catch (error) {
      if (!isAppError(error)) throw error;
      summary.failedFiles.push({ file, error: error.message });
    }
    await flush(file);
    summary.files += 1;
  }
  return summary;
}
