import { once } from 'node:events';
import type { Command } from 'commander';
import { readProbeBatches, readProbeBatchesFromStream, type ProbeRecord, type ReadOptions } from '../analytics/probes/read.js';
import { zoneClock } from '../analytics/probes/time.js';
import { isAppError } from '../shared/errors.js';

/** Output is written in blocks of about this size: one write per probe would dominate the run time. */
const FLUSH_CHARS = 1 << 16;

interface ProbesOptions {
  timezone: string;
  sensor?: string;
}

/**
 * `passby probes FILE...`: the probe requests of any supported input as NDJSON on stdout, one line per
 * probe, in file order. Records that cannot be used go to stderr with file and line or byte offset; the
 * exit code is then 1, after every good probe has been printed.
 */
export function registerProbesCommand(program: Command): void {
  program
    .command('probes')
    .description('print the probe requests in pcap, pcapng, NDJSON, JSON or CSV files (gzip too; format detected from the content) as NDJSON')
    .argument('<file...>', 'files to read (- for standard input)')
    .option('--timezone <zone>', 'IANA time zone of timestamps written without an offset (the lab CSV)', 'UTC')
    .option('--sensor <id>', 'sensor id for probes whose input does not name one')
    .action(async (files: string[], options: ProbesOptions) => {
      zoneClock(options.timezone); // an unknown zone is a usage error before any output
      const read: ReadOptions = { timeZone: options.timezone, sensor: options.sensor };
      // `passby probes big.pcap | head`: the reader leaving is the end of the run, not an error.
      process.stdout.on('error', ignoreClosedPipe);
      let bad = 0;
      try {
        for (const file of files) bad += await printProbes(file, read);
      } catch (error) {
        if (isClosedPipe(error)) return;
        throw error;
      }
      if (bad > 0) {
        process.stderr.write(`passby probes: ${bad} record${bad === 1 ? '' : 's'} could not be used\n`);
        process.exitCode = 1;
      }
    });
}

/** Prints one file's probes; returns how many records were bad (a file that cannot be read counts as one). */
async function printProbes(file: string, options: ReadOptions): Promise<number> {
  const batches = file === '-' ? readProbeBatchesFromStream(process.stdin, options) : readProbeBatches(file, options);
  const name = file === '-' ? '<stdin>' : file;
  let bad = 0;
  let text = '';
  try {
    for await (const batch of batches) {
      for (const record of batch) {
        if (record.ok) text += `${JSON.stringify(record.probe)}\n`;
        else {
          bad += 1;
          process.stderr.write(`${name}:${where(record)} ${record.error}\n`);
        }
      }
      if (text.length >= FLUSH_CHARS) {
        await write(text);
        text = '';
      }
    }
  } catch (error) {
    if (!isAppError(error)) throw error;
    bad += 1;
    process.stderr.write(error.message.includes(name) ? `${error.message}\n` : `${name}: ${error.message}\n`);
  } finally {
    await write(text);
  }
  return bad;
}

const where = (record: Extract<ProbeRecord, { ok: false }>): string =>
  record.line !== undefined ? `${record.line}:` : record.offset !== undefined ? ` byte ${record.offset}:` : '';

async function write(text: string): Promise<void> {
  if (text !== '' && !process.stdout.write(text)) await once(process.stdout, 'drain');
}

const isClosedPipe = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'EPIPE';

function ignoreClosedPipe(error: unknown): void {
  if (!isClosedPipe(error)) throw error;
}
