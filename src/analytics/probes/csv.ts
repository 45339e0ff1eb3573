import { AppError } from '../../shared/errors.js';
import { isBlank, LineParser, MAX_LINE_BYTES } from './lines.js';
import type { ParseContext, ProbeRecord } from './record.js';

/** One CSV dialect: how its rows are split and turned into probes. */
export interface CsvRows {
  readonly separator: string;
  row(fields: string[], line: number, out: ProbeRecord[]): void;
}

/** Recognises a dialect from its (lowercased, trimmed) header names; undefined when the header is not its own. */
export type CsvDialect = (names: string[], separator: string, ctx: ParseContext) => CsvRows | undefined;

/**
 * The fields of one CSV record, RFC 4180 quoting (`"a ""b"""` is `a "b"`); undefined while a quoted
 * field is still open, i.e. it goes on over the next line. Lines without quotes take the native split.
 */
export function splitCsvLine(text: string, separator: string): string[] | undefined {
  if (!text.includes('"')) return text.split(separator);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

const headerNames = (text: string, separator: string): string[] => (splitCsvLine(text, separator) ?? []).map((name) => name.trim().toLowerCase());

export const CSV_FORMAT_HELP =
  'expected pcap, pcapng, NDJSON, a JSON array, or CSV with a header naming ts, mac and rssi (or the lab datasets\' headers)';

/**
 * CSV with a header line; the header picks the dialect (the first in `dialects` that recognises it,
 * tried with `;` names first, then `,`). A quoted field may span lines.
 */
export class CsvParser extends LineParser {
  private rows: CsvRows | undefined;
  private open: { text: string; line: number } | undefined;

  constructor(
    private readonly ctx: ParseContext,
    private readonly dialects: readonly CsvDialect[],
  ) {
    super();
  }

  protected line(text: string, line: number, out: ProbeRecord[]): void {
    if (this.rows === undefined) {
      this.rows = this.dialectFor(text);
      return;
    }
    if (this.open === undefined && isBlank(text)) return;
    const record = this.open === undefined ? text : `${this.open.text}\n${text}`;
    const first = this.open?.line ?? line;
    const fields = splitCsvLine(record, this.rows.separator);
    if (fields === undefined) {
      this.open = record.length > MAX_LINE_BYTES ? undefined : { text: record, line: first };
      if (this.open === undefined) out.push({ ok: false, error: `quoted field longer than ${MAX_LINE_BYTES} bytes`, line: first });
      return;
    }
    this.open = undefined;
    this.rows.row(fields, first, out);
  }

  protected override overlong(line: number, out: ProbeRecord[]): void {
    if (this.rows === undefined) throw new AppError('PROBES_FORMAT_UNKNOWN', `the first line is not a CSV header: ${CSV_FORMAT_HELP}`, { format: 'unknown' });
    super.overlong(line, out);
  }

  protected override finish(out: ProbeRecord[]): void {
    if (this.open !== undefined) out.push({ ok: false, error: 'a quoted field is not closed before the end of the file', line: this.open.line });
  }

  private dialectFor(header: string): CsvRows {
    for (const separator of [';', ',']) {
      if (!header.includes(separator)) continue;
      const names = headerNames(header, separator);
      for (const dialect of this.dialects) {
        const rows = dialect(names, separator, this.ctx);
        if (rows !== undefined) return rows;
      }
    }
    throw new AppError('PROBES_FORMAT_UNKNOWN', `the CSV header is not one we know: ${CSV_FORMAT_HELP}`, { format: 'csv' });
  }
}

/** A numeric CSV cell as a number; text that is not a number stays text so the message can show it. */
export function numberCell(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isNaN(value) ? trimmed : value;
}
