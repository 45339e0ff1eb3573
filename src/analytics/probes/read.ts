import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AppError } from '../../shared/errors.js';
import { CsvParser } from './csv.js';
import { detectFormat, type ProbeFormat } from './detect.js';
import { JsonArrayParser } from './json-array.js';
import { fryzaCsvDialect, tanChanCsvDialect } from './lab-csv.js';
import { NdjsonParser } from './ndjson.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import { probeCsvDialect } from './probe-csv.js';
import type { ChunkParser, ParseContext, ProbeRecord, ReadOptions } from './record.js';
import { zoneClock } from './time.js';

export type { ProbeRecord, ReadOptions } from './record.js';

/**
 * Bytes handed to a parser at a time (larger chunks are cut): a batch of records from this much input
 * (~400 probes from a pcap) dies young. Batches from 1 MiB chunks outlived the young generation and
 * made reading several times slower in old-space garbage collection.
 */
const PIECE_BYTES = 64 * 1024;

/**
 * Probe records from a file in any supported format (detected from the content, gzip or not), in file
 * order, with memory bounded by one chunk and one record. Per-record problems come as `{ ok: false }`
 * with the line or byte offset; a damaged binary file throws AppError PROBES_UNREADABLE (after the
 * records before the damage); an unknown format throws PROBES_FORMAT_UNKNOWN.
 */
export async function* readProbeRecords(path: string, options: ReadOptions = {}): AsyncGenerator<ProbeRecord> {
  for await (const batch of readProbeBatches(path, options)) yield* batch;
}

/** {@link readProbeRecords} from any byte stream (an upload, stdin). */
export async function* readProbeRecordsFromStream(source: AsyncIterable<Uint8Array>, options: ReadOptions = {}): AsyncGenerator<ProbeRecord> {
  for await (const batch of readProbeBatchesFromStream(source, options)) yield* batch;
}

/** The same records in the batches they were decoded in (one per chunk): the fast path for millions of probes. */
export function readProbeBatches(path: string, options: ReadOptions = {}): AsyncGenerator<ProbeRecord[]> {
  return readProbeBatchesFromStream(fileChunks(path), options);
}

export async function* readProbeBatchesFromStream(source: AsyncIterable<Uint8Array>, options: ReadOptions = {}): AsyncGenerator<ProbeRecord[]> {
  const ctx: ParseContext = { sensor: options.sensor, clock: zoneClock(options.timeZone) };
  yield* parse(source, ctx, 0);
}

async function* parse(source: AsyncIterable<Uint8Array>, ctx: ParseContext, depth: number): AsyncGenerator<ProbeRecord[]> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let nextLook = 1;
  let format: ProbeFormat | 'empty' | undefined;
  while (format === undefined) {
    const next = await iterator.next();
    if (!next.done) {
      head.push(asBuffer(next.value));
      headBytes += next.value.length;
    }
    // Looking again only when the head has doubled keeps tiny chunks from making this quadratic.
    if (next.done === true || headBytes >= nextLook) {
      format = detectFormat(Buffer.concat(head, headBytes), next.done === true);
      nextLook = headBytes * 2;
    }
  }
  if (format === 'empty') return;
  const chunks = replay(head, iterator);
  if (format === 'gzip') {
    if (depth > 1) throw new AppError('PROBES_FORMAT_UNKNOWN', 'gzip inside gzip inside gzip: not a probe file', { format: 'gzip' });
    yield* parse(gunzip(chunks), ctx, depth + 1);
    return;
  }
  const parser = createParser(format, ctx);
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += PIECE_BYTES) yield* step(parser, chunk.subarray(at, at + PIECE_BYTES));
  }
  yield* step(parser, undefined);
}

function createParser(format: Exclude<ProbeFormat, 'gzip'>, ctx: ParseContext): ChunkParser {
  switch (format) {
    case 'pcap':
      return new PcapParser(ctx);
    case 'pcapng':
      return new PcapngParser(ctx);
    case 'ndjson':
      return new NdjsonParser(ctx);
    case 'json-array':
      return new JsonArrayParser(ctx);
    case 'csv':
      return new CsvParser(ctx, [probeCsvDialect, fryzaCsvDialect, tanChanCsvDialect]);
  }
}

/** One chunk (undefined: the end) through the parser; what it decoded before a failure is passed on before the failure. */
function* step(parser: ChunkParser, chunk: Buffer | undefined): Generator<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  let failure: { error: unknown } | undefined;
  try {
    if (chunk === undefined) parser.end(out);
    else parser.push(chunk, out);
  } catch (error) {
    failure = { error };
  }
  if (out.length > 0) yield out;
  if (failure) throw failure.error;
}

async function* replay(head: Buffer[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  yield* head;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield asBuffer(next.value);
  }
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

async function* gunzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let compressed = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      compressed += chunk.length;
      yield chunk;
    }
  };
  const input = Readable.from(counted());
  const inflate = createGunzip();
  // Failures surface through the iteration of `inflate` below.
  pipeline(input, inflate, () => undefined);
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('Z_')) throw error;
    const what = code === 'Z_BUF_ERROR' ? 'gzip data is cut short' : `gzip data is damaged (${(error as Error).message})`;
    throw new AppError('PROBES_UNREADABLE', `${what} at byte ${compressed}`, { offset: compressed, format: 'gzip' });
  } finally {
    input.destroy();
    inflate.destroy();
  }
}

const FS_PROBLEMS: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' };

async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { highWaterMark: PIECE_BYTES });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('E')) throw error;
    throw new AppError('PROBES_UNREADABLE', `cannot read ${path}: ${FS_PROBLEMS[code] ?? (error as Error).message}`, { path, code });
  } finally {
    stream.destroy();
  }
}
