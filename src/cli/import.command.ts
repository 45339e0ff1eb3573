import { accessSync, constants, statSync } from 'node:fs';
import type { Command } from 'commander';
import { importProbeFiles, type ImportProgress, type ImportSummary } from '../analytics/ingest/probe-import.js';
import { IngestRepository } from '../analytics/ingest/ingest.repository.js';
import { migrate } from '../db/migrate.js';
import { createServices } from '../services.js';
import { systemClock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { isId } from '../shared/ids.js';
import { resolveSecretKey } from '../shared/secret-key.js';
import { withPool } from './context.js';
import { print } from './output.js';

interface ImportCommandOptions {
  sensor: string;
  json?: boolean;
  batchSize: string;
  timezone?: string;
}

const PLAIN_EVERY_MS = 5_000;
const BAR_EVERY_MS = 100;
const BAR_WIDTH = 28;

const mb = (bytes: number): string => (bytes / 1_000_000).toFixed(1);
const count = (n: number): string => n.toLocaleString('en-GB');

function checkFiles(files: string[]): void {
  for (const file of files) {
    try {
      accessSync(file, constants.R_OK);
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch (error) {
      throw new AppError('VALIDATION_FAILED', `Cannot read ${file}: ${(error as Error).message}`);
    }
  }
}

/** A bar redrawn in place on a terminal; a plain line every few seconds otherwise (logs, CI). */
function progressReporter(started: number): { update(p: ImportProgress): void; done(p: ImportProgress): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  const line = (p: ImportProgress): string => {
    const share = p.totalBytes > 0 ? p.bytesRead / p.totalBytes : 1;
    const rate = (p.accepted + p.rejected) / Math.max((performance.now() - started) / 1000, 0.001);
    const figures = `${mb(p.bytesRead)}/${mb(p.totalBytes)} MB  ${count(Math.round(rate))} probes/s  accepted ${count(p.accepted)}  rejected ${count(p.rejected)}`;
    if (!tty) return `import: ${Math.floor(share * 100)}% ${figures}\n`;
    const filled = Math.round(share * BAR_WIDTH);
    return `\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${figures}\x1b[K`;
  };
  return {
    update(p) {
      const now = performance.now();
      if (now - last < (tty ? BAR_EVERY_MS : PLAIN_EVERY_MS)) return;
      last = now;
      process.stderr.write(line(p));
    },
    done(p) {
      process.stderr.write(tty ? `${line(p)}\n` : line(p));
    },
  };
}

function report(summary: ImportSummary, sensorId: string, seconds: number, json: boolean): void {
  const result = {
    sensor: sensorId,
    files: summary.files,
    records: summary.records,
    accepted: summary.accepted,
    rejected: summary.rejected,
    duplicateBatches: summary.duplicateBatches,
    seconds: Math.round(seconds * 10) / 10,
    probesPerSecond: Math.round(summary.records / Math.max(seconds, 0.001)),
    failedFiles: summary.failedFiles,
    problems: summary.problems,
  };
  if (json) {
    print({ json }, result);
    return;
  }
  const { problems, failedFiles, ...figures } = result;
  print({}, figures);
  for (const f of failedFiles) process.stdout.write(`failed: ${f.file}: ${f.error}\n`);
  for (const p of problems.slice(0, 20)) {
    const where = p.line !== undefined ? `:${p.line}` : p.offset !== undefined ? ` at byte ${p.offset}` : ` record ${(p.index ?? 0) + 1}`;
    process.stdout.write(`rejected: ${p.file}${where}: ${p.reason}\n`);
  }
  if (summary.rejected > 20) process.stdout.write(`(${summary.rejected - Math.min(problems.length, 20)} more rejected records not shown)\n`);
}

/**
 * `passby import --sensor <id> FILE...`: probe files through the ingest service
 * (same checks, same privacy: MACs are keyed, SSIDs dropped). Exit code 1 when
 * any record was rejected or a file could not be read to the end; the good
 * records are imported either way.
 */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('import probe files (NDJSON, JSON, CSV, pcap/pcapng, gzip) for a sensor; a record\'s own "sensor" field is ignored')
    .requiredOption('--sensor <id>', 'the sensor the probes were captured by')
    .option('--batch-size <n>', 'probes per stored batch', '10000')
    .option('--timezone <zone>', 'IANA zone of times written without an offset, e.g. the lab CSV (default UTC)')
    .option('--json', 'print the summary as JSON')
    .argument('<files...>', 'probe files')
    .action((files: string[], options: ImportCommandOptions) =>
      withPool(async ({ config, db, logger }) => {
        const batchSize = Number(options.batchSize);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > config.analytics.ingest.maxRecords) {
          throw new AppError('VALIDATION_FAILED', `--batch-size: expected an integer from 1 to ${config.analytics.ingest.maxRecords}`);
        }
        checkFiles(files);
        await migrate(db);
        const sensor = isId(options.sensor) ? await new IngestRepository(db).sensorById(options.sensor) : undefined;
        if (!sensor) throw new AppError('NOT_FOUND', `Sensor ${options.sensor} not found`);
        const services = createServices({ db, clock: systemClock, secretKey: resolveSecretKey(config, logger), analytics: config.analytics });
        const started = performance.now();
        const progress = progressReporter(started);
        const summary = await importProbeFiles({ ingest: services.ingest, sensor, files, batchSize, timeZone: options.timezone, onProgress: (p) => progress.update(p) });
        progress.done(summary);
        report(summary, sensor.id, (performance.now() - started) / 1000, options.json === true);
        if (summary.rejected > 0 || summary.failedFiles.length > 0) process.exitCode = 1;
      }),
    );
}
