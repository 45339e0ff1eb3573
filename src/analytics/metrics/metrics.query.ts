import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { validate } from '../../shared/validate.js';
import { INTERVALS, type Interval } from './buckets.js';

const MAX_PERIOD_DAYS = 400;
const MAX_BUCKETS = 20_000;
const DEFAULT_PERIOD_SECONDS = 86_400;

/** Epoch seconds or ISO 8601 (with an offset or Z). */
const instant = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value) / 1000;
    if (!Number.isFinite(seconds) || /^\d{4}-\d\d-\d\dT[^Z+]*$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected epoch seconds or an ISO 8601 time with Z or an offset, e.g. 2026-05-04T09:00:00Z' });
      return z.NEVER;
    }
    return seconds;
  });

const INTERVAL_NAMES: Record<string, Interval> = { '60': 60, '1m': 60, '300': 300, '5m': 300, '900': 900, '15m': 900, '3600': 3600, '60m': 3600, '1h': 3600, day: 'day', '1d': 'day' };

const interval = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const found = INTERVAL_NAMES[value];
    if (found === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${INTERVALS.map((i) => (i === 'day' ? 'day' : `${i / 60}m`)).join(', ')}` });
      return z.NEVER;
    }
    return found;
  });

const querySchema = z.object({
  from: instant.optional(),
  to: instant.optional(),
  interval: interval.optional(),
  zone: z.uuid({ message: 'expected a zone id' }).optional(),
});

export interface MetricsQuery {
  from: number;
  to: number;
  interval: Interval;
  zoneId: string | undefined;
}

/** Validates ?from&to&interval&zone; the default period is the 24 hours before now, hourly. */
export function parseMetricsQuery(query: unknown, now: number): MetricsQuery {
  const parsed = validate(querySchema, query);
  const to = parsed.to ?? now;
  const from = parsed.from ?? to - DEFAULT_PERIOD_SECONDS;
  const chosen = parsed.interval ?? 3600;
  const problem = (path: string, message: string): AppError => new AppError('VALIDATION_FAILED', `${path}: ${message}`, { fields: [{ path, message }] });
  if (to <= from) throw problem('to', 'must be after from');
  if (to - from > MAX_PERIOD_DAYS * 86_400) throw problem('from', `the period can be at most ${MAX_PERIOD_DAYS} days`);
  if (chosen !== 'day' && (to - from) / chosen > MAX_BUCKETS) throw problem('interval', `too many intervals (over ${MAX_BUCKETS}): choose a longer interval or a shorter period`);
  return { from, to, interval: chosen, zoneId: parsed.zone };
}
