import { AppError } from '../../shared/errors.js';
import { splitCsvLine } from '../probes/csv.js';
import { parseDateTime, zoneClock } from '../probes/time.js';

/** One manual count: the interval it starts and the number counted. */
export interface TruthRow {
  start: number;
  value: number;
  line: number;
}

export type TruthKind = 'footfall' | 'occupancy';

const EPOCH = /^-?\d+(\.\d+)?$/;

function invalid(line: number, message: string): AppError {
  return new AppError('GROUND_TRUTH_INVALID', `ground truth line ${line}: ${message}`, { line });
}

/** Epoch seconds or ISO 8601 (local to `timeZone` when it has no offset); undefined when neither. */
export function parseInstant(text: string, timeZone = 'UTC'): number | undefined {
  if (EPOCH.test(text)) return Number(text);
  return parseDateTime(text, zoneClock(timeZone));
}

/**
 * Manual counts from CSV text: a header line, then one row per interval with its start (epoch
 * seconds or ISO 8601) in column 1 and the count in column 2; other columns are ignored, blank lines
 * skipped. `,` or `;` separated (whichever the header uses). A bad row is GROUND_TRUTH_INVALID with
 * its line number.
 */
export function parseGroundTruth(text: string, timeZone = 'UTC'): TruthRow[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0] ?? '';
  if (header.trim() === '') throw invalid(1, 'expected a header line (start,count)');
  const delimiter = !header.includes(',') && header.includes(';') ? ';' : ',';
  const rows: TruthRow[] = [];
  for (const [i, raw] of lines.entries()) {
    if (i === 0 || raw.trim() === '') continue;
    const line = i + 1;
    const fields = splitCsvLine(raw, delimiter);
    if (fields === undefined) throw invalid(line, 'a quoted field is not closed on this line');
    const [when = '', count = ''] = fields.map((f) => f.trim());
    const start = parseInstant(when, timeZone);
    if (start === undefined || !Number.isFinite(start)) throw invalid(line, `"${when}" is not epoch seconds or an ISO 8601 time`);
    const value = count === '' ? Number.NaN : Number(count);
    if (!Number.isFinite(value) || value < 0) throw invalid(line, `"${count}" is not a count (a number >= 0)`);
    rows.push({ start, value, line });
  }
  if (rows.length === 0) throw invalid(1, 'no counts after the header');
  return rows;
}

/**
 * The manual counts per interval index: summed for footfall (people passing add up), averaged for
 * occupancy (people present do not), when a count covers less than one interval.
 */
export function truthByInterval(rows: readonly TruthRow[], intervalSeconds: number, kind: TruthKind): Map<number, number> {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const row of rows) {
    const index = Math.floor(row.start / intervalSeconds);
    const entry = sums.get(index) ?? { sum: 0, n: 0 };
    entry.sum += row.value;
    entry.n += 1;
    sums.set(index, entry);
  }
  const out = new Map<number, number>();
  for (const [index, { sum, n }] of sums) out.set(index, kind === 'footfall' ? sum : sum / n);
  return out;
}
