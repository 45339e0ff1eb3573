import type { FieldProblem } from '../../shared/errors.js';
import { parseInstant } from '../../analytics/pipeline/ground-truth.js';
import { parseCountsCsv } from './calibration-csv.js';

/** The upload form as typed: re-rendered as it was when something is wrong. */
export interface UploadForm {
  kind: string;
  method: string;
  calibrateUntil: string;
  counts: string;
}

/** Messages next to the fields; the counts can have one per bad line. */
export interface UploadErrors {
  kind?: string;
  method?: string;
  calibrateUntil?: string;
  counts?: string[];
}

export const emptyUpload = (): UploadForm => ({ kind: 'footfall', method: 'auto', calibrateUntil: '', counts: '' });

const text = (body: unknown, key: keyof UploadForm): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
};

export function readUpload(body: unknown): UploadForm {
  return { kind: text(body, 'kind'), method: text(body, 'method'), calibrateUntil: text(body, 'calibrateUntil').trim(), counts: text(body, 'counts') };
}

export type UploadInput = { ok: true; body: Record<string, unknown>; lines: number[] } | { ok: false; errors: UploadErrors };

/** The calibration API's body for the form, or the problems found before asking it (times are local to the venue). */
export function uploadInput(form: UploadForm, timeZone: string): UploadInput {
  const errors: UploadErrors = {};
  const parsed = parseCountsCsv(form.counts, timeZone);
  if (!parsed.ok) errors.counts = parsed.errors;
  let until: number | undefined;
  if (form.calibrateUntil !== '') {
    until = parseInstant(form.calibrateUntil, timeZone);
    if (until === undefined) errors.calibrateUntil = 'Enter a date and time like 2026-05-04 12:00, or leave it empty.';
    else if (parsed.ok && !parsed.counts.some((c) => c.start + parsed.intervalSeconds <= (until as number))) errors.calibrateUntil = 'No count ends before this time: there is nothing to fit on.';
    else if (parsed.ok && !parsed.counts.some((c) => c.start >= (until as number))) errors.calibrateUntil = 'No count starts at or after this time: there is nothing to score on.';
  }
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const body: Record<string, unknown> = { kind: form.kind, method: form.method, intervalSeconds: parsed.intervalSeconds, counts: parsed.counts };
  if (until !== undefined) body.calibrateUntil = until;
  return { ok: true, body, lines: parsed.lines };
}

/** The service's field errors placed on the form: anything about the counts names its CSV line. */
export function problemsOf(fields: readonly FieldProblem[], lines: readonly number[]): UploadErrors {
  const errors: UploadErrors = {};
  for (const { path, message } of fields) {
    if (path === 'kind' || path === 'method' || path === 'calibrateUntil') {
      errors[path] = message;
      continue;
    }
    const index = /^counts\.(\d+)/.exec(path)?.[1];
    const line = index === undefined ? undefined : lines[Number(index)];
    (errors.counts ??= []).push(line === undefined ? message : `Line ${String(line)}: ${message}`);
  }
  return errors;
}
