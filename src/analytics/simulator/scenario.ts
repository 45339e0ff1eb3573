import type { Wall } from './geometry.js';
import type { ScenarioName } from './options.js';
import type { Person } from './population.js';
import type { Rng } from './prng.js';

/** One radio of a sensor: a fixed channel, or channels hopped with a dwell time. */
export interface RadioSpec {
  channels: readonly number[];
  /** Seconds on each channel when hopping. */
  dwell: number;
}

export interface SensorSpec {
  /** Id written in each probe's `sensor` field. */
  id: string;
  /** The truth zone this sensor is meant to count. */
  zone: string;
  x: number;
  y: number;
  /** Antenna height, metres (phones are held at about 1.2 m). */
  height: number;
  radios: readonly RadioSpec[];
  /** Openings (just outside a shop window) a signal may bend through on its way to the sensor. */
  apertures?: readonly { x: number; y: number }[];
}

/** Propagation and receiver parameters (see docs/simulator.md for the sources). */
export interface RadioEnvironment {
  /** Log-distance path-loss exponent n: PL(d) = PL(1 m) + 10 n log10(d). */
  pathLossExponent: number;
  /** Log-normal shadowing, dB, and how fast it decorrelates (Gudmundson-style). */
  shadowSigma: number;
  shadowDecorrMetres: number;
  shadowDecorrSeconds: number;
  /** Rician K-factor (linear) at 1 m, falling with distance: strong line of sight near, Rayleigh far. */
  riceK1m: number;
  /** Weakest decodable probe at the sensor, dBm. */
  sensitivity: number;
  /** Strongest reading a sensor reports, dBm. */
  saturation: number;
  /** Probes lost to collisions at any signal level. */
  collisionLoss: number;
  /** Extra loss per wall at 5 GHz relative to 2.4 GHz, as a factor on the wall's loss. */
  wallFactor5: number;
  phoneHeight: number;
}

export interface Scenario {
  name: ScenarioName;
  summary: string;
  /** The zone counted in column 2 of the truth files (the venue). */
  venueZone: string;
  /** Other zones with their own truth columns. */
  zones: readonly string[];
  /** Count lines (footfall only), e.g. the pavement in front of the shop. */
  countLines: readonly string[];
  sensors: readonly SensorSpec[];
  walls: readonly Wall[];
  radio: RadioEnvironment;
  /** Everything else that shapes the data, for scenario.json. */
  parameters: Record<string, unknown>;
  /**
   * People and fixed devices that appear in [from, to), as streams each ordered
   * by appearance time. Deterministic for a given `rng` key, whoever consumes it.
   */
  population(rng: Rng, from: number, to: number, scale: number): Iterator<Person>[];
}

export const DEFAULT_RADIO: RadioEnvironment = {
  pathLossExponent: 2.8,
  shadowSigma: 5,
  shadowDecorrMetres: 8,
  shadowDecorrSeconds: 120,
  riceK1m: 10,
  sensitivity: -95,
  saturation: -20,
  collisionLoss: 0.03,
  wallFactor5: 1.4,
  phoneHeight: 1.2,
};

/** Longest any person stays: arrivals are generated this long before the window so it starts populated. */
export const WARM_UP_SECONDS = 4 * 3600;
