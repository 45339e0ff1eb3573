import type { Observation } from '../../../src/analytics/pipeline/observation.js';

/** An hour boundary (and so a whole number of 1, 2 and 5 minute buckets): tests read better from it. */
export const T0 = 1_699_999_200;

let keys = 0;

/** A randomised MAC not used before in this test process. */
export function freshKey(): string {
  keys += 1;
  const n = keys.toString(16).padStart(10, '0');
  return `02:${n.slice(0, 2)}:${n.slice(2, 4)}:${n.slice(4, 6)}:${n.slice(6, 8)}:${n.slice(8, 10)}`;
}

/** One observation: a strong randomised probe from sensor 's1' in group 'g' unless told otherwise. */
export function obs(fields: Partial<Observation> & { t: number }): Observation {
  return { sensor: 's1', key: 'k', randomised: true, rssi: -50, seq: null, group: 'g', ...fields };
}

/** Probes of one key every `every` seconds over [from, to). */
export function every(key: string, from: number, to: number, every: number, fields: Partial<Observation> = {}): Observation[] {
  const out: Observation[] = [];
  for (let t = from; t < to; t += every) out.push(obs({ key, t, ...fields }));
  return out;
}

export const byTime = (a: Observation, b: Observation): number => a.t - b.t;
