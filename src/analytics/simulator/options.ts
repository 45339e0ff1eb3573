import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { validate } from '../../shared/validate.js';

export const SCENARIO_NAMES = ['high-street', 'mall'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** A Thursday in March, midnight UTC: a fixed default so runs without --start are reproducible. */
export const DEFAULT_START_ISO = '2025-03-13T00:00:00Z';

export interface SimulationOptions {
  scenario: ScenarioName;
  /** Epoch seconds. */
  start: number;
  hours: number;
  seed: number;
  /** Truth interval, seconds. */
  interval: number;
  /** Multiplier on every arrival rate (people), not on staff or fixed devices. */
  scale: number;
  /** Emit the `ies` hex with each probe (about half the file size). */
  ies: boolean;
}

/** What callers may pass: strings from a command line or numbers from code. */
export interface SimulationInput {
  scenario?: string;
  start?: string | number;
  hours?: string | number;
  seed?: string | number;
  interval?: string | number;
  scale?: string | number;
  ies?: boolean;
}

const number = (min: number, max: number, what: string) =>
  z.coerce.number({ error: `${what} must be a number` }).min(min, `${what} must be at least ${min}`).max(max, `${what} must be at most ${max}`);

const schema = z.object({
  scenario: z.enum(SCENARIO_NAMES, { error: `scenario must be one of ${SCENARIO_NAMES.join(', ')}` }).default('high-street'),
  start: z.union([z.number(), z.string()]).default(DEFAULT_START_ISO),
  hours: number(1 / 60, 24 * 31, 'hours').default(24),
  seed: z.coerce.number({ error: 'seed must be a number' }).int('seed must be an integer').min(0).max(2 ** 32 - 1).default(1),
  interval: number(10, 86_400, 'interval').int('interval must be whole seconds').default(300),
  scale: number(0, 50, 'scale').default(1),
  ies: z.boolean().default(true),
});

export function resolveOptions(input: SimulationInput | SimulationOptions): SimulationOptions {
  const parsed = validate(schema, input);
  return { ...parsed, start: parseStart(parsed.start) };
}

/** `--start`: epoch seconds, or an ISO 8601 date-time (UTC unless it says otherwise). */
export function parseStart(value: string | number): number {
  if (typeof value === 'number' || /^\d+(\.\d+)?$/.test(value.trim())) {
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return seconds;
  } else {
    const text = value.trim();
    const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text) || !text.includes('T');
    const millis = Date.parse(hasZone ? text : `${text}Z`);
    if (Number.isFinite(millis)) return millis / 1000;
  }
  throw new AppError('VALIDATION_FAILED', `start must be an ISO date-time (e.g. ${DEFAULT_START_ISO}) or epoch seconds, got "${String(value)}"`, {
    fields: [{ path: 'start', message: 'not a date-time' }],
  });
}
