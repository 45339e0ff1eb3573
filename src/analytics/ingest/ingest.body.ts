import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Request } from 'express';
import { AppError } from '../../shared/errors.js';
import { probeFromJson } from '../probes/json.js';
import type { IngestRecord } from './batch-check.js';

const gunzipAsync = promisify(gunzip);

export interface BodyLimits {
  /** Bytes on the wire (compressed or not). */
  maxBodyBytes: number;
  /** Bytes after inflating: a small gzip body can expand a thousandfold. */
  maxInflatedBytes: number;
  maxRecords: number;
}

export interface ParsedBody {
  records: IngestRecord[];
  /** SHA-256 of the inflated body: what makes a retry a retry. */
  digest: Buffer;
}

const mib = (bytes: number): string => `${Math.round((bytes / 1048576) * 10) / 10} MiB`;
const tooLarge = (message: string): AppError => new AppError('PAYLOAD_TOO_LARGE', message);

/** The raw body, refused with 413 as soon as it is known to be over the limit (Content-Length first). */
async function readLimited(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(`The body is larger than ${mib(limit)}: send smaller batches`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(`The body is larger than ${mib(limit)}: send smaller batches`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

async function inflate(req: Request, raw: Buffer, limits: BodyLimits): Promise<Buffer> {
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return raw;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding must be gzip or absent');
  try {
    return await gunzipAsync(raw, { maxOutputLength: limits.maxInflatedBytes });
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge(`The body inflates to more than ${mib(limits.maxInflatedBytes)}: send smaller batches`);
    throw new AppError('VALIDATION_FAILED', 'The body is not valid gzip', { fields: [{ path: '(body)', message: 'not valid gzip' }] });
  }
}

function recordOf(value: unknown, where: { line: number } | { index: number }): IngestRecord {
  const parsed = probeFromJson(value);
  return parsed.ok ? { ok: true, probe: parsed.probe, ...where } : { ok: false, error: parsed.error, ...where };
}

/** NDJSON: one probe object per line; blank lines are skipped, line numbers count from 1. */
function parseNdjson(text: string, maxRecords: number): IngestRecord[] {
  const records: IngestRecord[] = [];
  let line = 0;
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    line += 1;
    const content = text.slice(start, end).trim();
    start = end + 1;
    if (content === '') continue;
    if (records.length === maxRecords) throw tooLarge(`The batch has more than ${maxRecords} records: send smaller batches`);
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      records.push({ ok: false, error: 'not valid JSON', line });
      continue;
    }
    records.push(recordOf(value, { line }));
  }
  return records;
}

function parseJsonArray(text: string, maxRecords: number): IngestRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('BAD_JSON', 'The body is not valid JSON (send a JSON array of probes, or NDJSON as application/x-ndjson)');
  }
  if (!Array.isArray(value)) throw new AppError('VALIDATION_FAILED', 'Expected a JSON array of probes', { fields: [{ path: '(body)', message: 'expected an array' }] });
  if (value.length > maxRecords) throw tooLarge(`The batch has more than ${maxRecords} records: send smaller batches`);
  return value.map((item: unknown, index) => recordOf(item, { index }));
}

/**
 * Reads an ingest body: NDJSON (`application/x-ndjson`) or a JSON array
 * (`application/json`), optionally gzip-compressed, within the size limits
 * (compressed and inflated: a zip bomb is refused with 413, never inflated
 * whole). Each record is checked by the shared probe parser.
 */
export async function readIngestBody(req: Request, limits: BodyLimits): Promise<ParsedBody> {
  const kind = req.is(['application/x-ndjson', 'application/jsonl', 'application/json']);
  if (kind === false || kind === null) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send probes as application/x-ndjson (one JSON object per line) or application/json (an array)');
  const body = await inflate(req, await readLimited(req, limits.maxBodyBytes), limits);
  if (body.length > limits.maxInflatedBytes) throw tooLarge(`The body is larger than ${mib(limits.maxInflatedBytes)}: send smaller batches`);
  const digest = createHash('sha256').update(body).digest();
  const text = body.toString('utf8');
  const records = kind === 'application/json' ? parseJsonArray(text, limits.maxRecords) : parseNdjson(text, limits.maxRecords);
  return { records, digest };
}
