import type { ManualCount } from '../../analytics/metrics/calibration.js';
import { parseInstant } from '../../analytics/pipeline/ground-truth.js';
import { splitCsvLine } from '../../analytics/probes/csv.js';
import { duration, localIso } from './format.js';

/**
 * Manual counts as staff keep them: a CSV with a header naming the columns
 * start,end,count, one counted interval per row, times local to the venue
 * (or ISO 8601 with an offset, or epoch seconds). The calibration API takes
 * one interval length and the starts, so every row must cover the same length.
 */
export const COUNTS_HEADER = 'start,end,count';

/** The calibration API's bounds on an interval. */
const MIN_INTERVAL = 60;
const MAX_INTERVAL = 86_400;
/** Enough to fix a file in one go without burying the form in messages. */
const MAX_MESSAGES = 10;

export interface ParsedCounts {
  ok: true;
  intervalSeconds: number;
  counts: ManualCount[];
  /** The line each count came from, by index in `counts`: the service's errors name counts by index. */
  lines: number[];
}

export interface CountsProblems {
  ok: false;
  errors: string[];
}

interface Row {
  line: number;
  start: number;
  end: number;
  count: number;
}

const quoted = (text: string): string => `"${text.length > 40 ? `${text.slice(0, 39)}…` : text}"`;

function readRow(fields: string[], columns: { start: number; end: number; count: number }, timeZone: string): Omit<Row, 'line'> | string {
  const cell = (index: number): string => (fields[index] ?? '').trim();
  const [startText, endText, countText] = [cell(columns.start), cell(columns.end), cell(columns.count)];
  const start = startText === '' ? undefined : parseInstant(startText, timeZone);
  if (start === undefined || !Number.isFinite(start)) return `the start ${quoted(startText)} is not a time like 2026-05-04 09:00`;
  const end = endText === '' ? undefined : parseInstant(endText, timeZone);
  if (end === undefined || !Number.isFinite(end)) return `the end ${quoted(endText)} is not a time like 2026-05-04 09:15`;
  if (end <= start) return 'the end must be after the start';
  if (countText === '') return 'the count is missing';
  const count = Number(countText);
  if (!Number.isFinite(count) || count < 0) return `the count ${quoted(countText)} is not a number of people (0 or more)`;
  return { start, end, count };
}

/** Same length for every row, within the API's bounds, and no two rows covering the same time. */
function intervalProblems(rows: readonly Row[]): string[] {
  const first = rows[0];
  if (!first) return [];
  const length = first.end - first.start;
  const problems: string[] = [];
  if (length < MIN_INTERVAL || length > MAX_INTERVAL) problems.push(`Line ${String(first.line)}: an interval must last from 1 minute to 1 day, this one lasts ${duration(length)}.`);
  for (const row of rows.slice(1)) {
    if (row.end - row.start !== length) {
      problems.push(`Line ${String(row.line)}: covers ${duration(row.end - row.start)}, but line ${String(first.line)} covers ${duration(length)}: every row must cover the same length of time.`);
    }
  }
  if (problems.length > 0) return problems;
  const sorted = [...rows].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const [before, row] = [sorted[i - 1] as Row, sorted[i] as Row];
    if (row.start < before.end) problems.push(`Line ${String(row.line)}: overlaps line ${String(before.line)} (the same time counted twice).`);
  }
  return problems;
}

const limited = (errors: string[]): CountsProblems => ({
  ok: false,
  errors: errors.length > MAX_MESSAGES ? [...errors.slice(0, MAX_MESSAGES), `…and ${String(errors.length - MAX_MESSAGES)} more problems.`] : errors,
});

/** The counts of a CSV text, or every problem found, each with its line number. */
export function parseCountsCsv(text: string, timeZone: string): ParsedCounts | CountsProblems {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  const header = lines[headerAt];
  if (header === undefined) return limited(['Paste the counts, or choose a CSV file.']);
  const delimiter = !header.includes(',') && header.includes(';') ? ';' : ',';
  const names = (splitCsvLine(header, delimiter) ?? []).map((n) => n.trim().toLowerCase());
  const columns = { start: names.indexOf('start'), end: names.indexOf('end'), count: names.indexOf('count') };
  if (columns.start < 0 || columns.end < 0 || columns.count < 0) {
    return limited([`Line ${String(headerAt + 1)}: the first line must name the columns: ${COUNTS_HEADER}.`]);
  }
  const errors: string[] = [];
  const rows: Row[] = [];
  lines.forEach((raw, i) => {
    if (i <= headerAt || raw.trim() === '') return;
    const fields = splitCsvLine(raw, delimiter);
    const row = fields === undefined ? 'a quoted field is not closed' : readRow(fields, columns, timeZone);
    if (typeof row === 'string') errors.push(`Line ${String(i + 1)}: ${row}.`);
    else rows.push({ ...row, line: i + 1 });
  });
  if (errors.length > 0) return limited(errors);
  if (rows.length < 3) return limited([`At least 3 counted intervals are needed for a fit; there ${rows.length === 1 ? 'is' : 'are'} ${String(rows.length)}.`]);
  const problems = intervalProblems(rows);
  if (problems.length > 0) return limited(problems);
  const first = rows[0] as Row;
  return { ok: true, intervalSeconds: first.end - first.start, counts: rows.map((r) => ({ start: r.start, count: r.count })), lines: rows.map((r) => r.line) };
}

/** Stored counts back as the CSV staff upload, so they can be corrected and uploaded again. */
export function countsToCsv(counts: readonly ManualCount[], intervalSeconds: number, timeZone: string): string {
  const rows = [...counts]
    .sort((a, b) => a.start - b.start)
    .map((c) => `${localIso(c.start, timeZone)},${localIso(c.start + intervalSeconds, timeZone)},${String(c.count)}`);
  return [COUNTS_HEADER, ...rows].join('\r\n') + '\r\n';
}

/** A template to fill in: the last four whole quarter hours before `now`, counts left blank. */
export function templateCsv(now: Date, timeZone: string): string {
  const quarter = 900;
  const end = Math.floor(now.getTime() / 1000 / quarter) * quarter;
  const rows = [4, 3, 2, 1].map((n) => `${localIso(end - n * quarter, timeZone)},${localIso(end - (n - 1) * quarter, timeZone)},`);
  return [COUNTS_HEADER, ...rows].join('\r\n') + '\r\n';
}
