import { wallLoss, type Pose, type Wall } from './geometry.js';
import type { Rng } from './prng.js';
import type { RadioEnvironment, RadioSpec, SensorSpec } from './scenario.js';

export type Band = 0 | 1;
export const BAND_24: Band = 0;
export const BAND_5: Band = 1;

export function bandOf(channel: number): Band {
  return channel <= 14 ? BAND_24 : BAND_5;
}

/** Free-space loss at 1 m: 20 log10(4 pi f / c) at 2.437 and 5.2 GHz. */
const PL_1M = [40.2, 46.8] as const;

/**
 * Attenuation of a 2.4 GHz probe sent `offset` channels (5 MHz each) away from
 * the channel a sensor listens on: 20 MHz-wide transmissions overlap the
 * neighbouring channels, so a sensor on 6 also decodes probes sent on 4-8,
 * weaker the further off. 5 GHz channels do not overlap.
 */
const ADJACENT_DB = [0, 5, 15] as const;

export interface SensorRuntime {
  spec: SensorSpec;
  radios: readonly { spec: RadioSpec; phase: number }[];
}

export function sensorRuntimes(sensors: readonly SensorSpec[], rng: Rng): SensorRuntime[] {
  return sensors.map((spec) => ({ spec, radios: spec.radios.map((radio) => ({ spec: radio, phase: rng.fork(spec.id).range(0, radio.dwell * radio.channels.length) })) }));
}

/** Channels some sensor could decode: lets the emitter skip everything else without losing sequence numbers. */
export function hearableChannels(sensors: readonly SensorRuntime[]): Set<number> {
  const channels = new Set<number>();
  for (const sensor of sensors) {
    for (const { spec } of sensor.radios) {
      for (const c of spec.channels) {
        if (bandOf(c) === BAND_5) channels.add(c);
        else for (let d = 1 - ADJACENT_DB.length; d < ADJACENT_DB.length; d++) if (c + d >= 1 && c + d <= 14) channels.add(c + d);
      }
    }
  }
  return channels;
}

/** Smallest attenuation over the sensor's radios for a probe on `channel` at `t`; Infinity when none can hear it. */
export function channelLoss(sensor: SensorRuntime, channel: number, t: number): number {
  let best = Infinity;
  for (const { spec, phase } of sensor.radios) {
    const listening = spec.channels.length === 1 ? (spec.channels[0] as number) : (spec.channels[Math.floor((t + phase) / spec.dwell) % spec.channels.length] as number);
    let loss: number;
    if (listening === channel) loss = 0;
    else if (bandOf(listening) === BAND_24 && bandOf(channel) === BAND_24) loss = ADJACENT_DB[Math.abs(listening - channel)] ?? Infinity;
    else loss = Infinity;
    if (loss < best) best = loss;
  }
  return best;
}

export interface LinkBudget {
  txPower: number;
  carryLoss: number;
  /** Loss with the body fully between phone and sensor (0 for fixed devices). */
  bodyLoss: number;
}

/**
 * Mean received power (before shadowing and fading) and the path length:
 * log-distance path loss, walls crossed, and body loss growing as the person
 * turns away from the sensor (the phone is carried in front). Besides the
 * straight line, the signal may take a bent path through one of the sensor's
 * apertures (a shop window): along a street that path, not the one through a
 * row of party walls, is what a sensor inside a shop hears. The strongest
 * path wins.
 */
export function meanReceived(env: RadioEnvironment, walls: readonly Wall[], sensor: SensorSpec, pose: Pose, link: LinkBudget, band: Band): { rx: number; distance: number } {
  const wallFactor = band === BAND_5 ? env.wallFactor5 : 1;
  const dh = sensor.height - env.phoneHeight;
  const direct = Math.hypot(sensor.x - pose.x, sensor.y - pose.y);
  let best = { loss: pathLoss(env, band, direct, dh) + wallLoss(walls, pose, sensor) * wallFactor, distance: direct };
  for (const aperture of sensor.apertures ?? []) {
    const inner = Math.hypot(sensor.x - aperture.x, sensor.y - aperture.y);
    const outer = Math.hypot(aperture.x - pose.x, aperture.y - pose.y);
    const turn = Math.abs(angleBetween(aperture.x - sensor.x, aperture.y - sensor.y, pose.x - aperture.x, pose.y - aperture.y));
    const loss = pathLoss(env, band, inner + outer, dh) + (wallLoss(walls, sensor, aperture) + wallLoss(walls, aperture, pose)) * wallFactor + BEND_DB_PER_RADIAN * turn;
    if (loss < best.loss) best = { loss, distance: inner + outer };
  }
  const facing = Math.cos(Math.atan2(sensor.y - pose.y, sensor.x - pose.x) - pose.heading);
  const body = (link.bodyLoss * (1 - facing)) / 2;
  return { rx: link.txPower - best.loss - body - link.carryLoss, distance: Math.max(0.5, Math.hypot(best.distance, dh)) };
}

/** Extra loss of a path bent through an aperture (diffraction, scattering), per radian of turn: 90 degrees costs about 10 dB. */
const BEND_DB_PER_RADIAN = 6.4;

function pathLoss(env: RadioEnvironment, band: Band, planar: number, dh: number): number {
  const distance = Math.max(0.5, Math.sqrt(planar * planar + dh * dh));
  return PL_1M[band] + 10 * env.pathLossExponent * Math.log10(distance);
}

function angleBetween(ax: number, ay: number, bx: number, by: number): number {
  return Math.atan2(ax * by - ay * bx, ax * bx + ay * by);
}

/** Rician fading in dB (unit mean power), K falling with distance: line of sight near the sensor, Rayleigh far off. */
export function fadingDb(rng: Rng, env: RadioEnvironment, distance: number): number {
  const k = env.riceK1m / distance;
  const los = Math.sqrt(k / (k + 1));
  const scatter = Math.sqrt(1 / (2 * (k + 1)));
  const i = los + scatter * rng.normal();
  const q = scatter * rng.normal();
  return 10 * Math.log10(Math.max(1e-6, i * i + q * q));
}

/** Whether a frame at `rx` dBm is decoded: a soft edge above sensitivity, plus collisions. */
export function decoded(rng: Rng, env: RadioEnvironment, rx: number): boolean {
  if (rx < env.sensitivity) return false;
  const edge = 1 / (1 + Math.exp(-(rx - env.sensitivity - 2) / 1.2));
  return rng.next() < edge * (1 - env.collisionLoss);
}

/** Slowly varying shadowing per device and sensor: an AR(1) process in distance moved and time. */
export function nextShadow(rng: Rng, env: RadioEnvironment, previous: number | undefined, moved: number, elapsed: number): number {
  if (previous === undefined) return rng.normal(0, env.shadowSigma);
  const rho = Math.exp(-moved / env.shadowDecorrMetres - elapsed / env.shadowDecorrSeconds);
  return rho * previous + Math.sqrt(1 - rho * rho) * rng.normal(0, env.shadowSigma);
}
