import type { Waypoint } from './geometry.js';
import { MODELS, modelById, type DeviceModel } from './models.js';
import type { Rng } from './prng.js';

export type Role = 'passer-by' | 'visitor' | 'staff' | 'background' | 'static';

/** Time spent inside a zone (the venue, a shop of the mall); the truth files are computed from these. */
export interface Stay {
  zone: string;
  enter: number;
  exit: number;
}

/** A count line crossed (e.g. the pavement in front of the shop), both directions. */
export interface Crossing {
  line: string;
  t: number;
}

export interface CarriedDevice {
  id: string;
  model: DeviceModel;
  /** Per-unit transmit power offset, dB. */
  txOffset: number;
  /** Hand, pocket, bag or wrist: extra loss, dB. */
  carryLoss: number;
  /** Connected to a network all along: a stable per-network random address, fewer scans, busier counter. */
  associated: boolean;
  /** Remembered networks, for directed probes. */
  ssids: readonly string[];
}

export interface Person {
  id: string;
  role: Role;
  path: Waypoint[];
  appear: number;
  disappear: number;
  stays: Stay[];
  crossings: Crossing[];
  devices: CarriedDevice[];
  /** Loss when the body is between the phone and the sensor, dB. */
  bodyLoss: number;
  /** Long-run share of time the phone's screen is on. */
  screenShare: number;
}

/** Device mix: model id -> share. */
export type Mix = Readonly<Record<string, number>>;

/** Primary phones (UK-like: about half iPhones). */
export const PHONE_MIX: Mix = { iphone: 0.48, 'android-recent': 0.3, 'android-midrange': 0.12, 'android-legacy': 0.06, 'phone-global': 0.04 };
/** A second device, for the people who carry one. */
export const SECOND_DEVICE_MIX: Mix = { 'apple-watch': 0.35, ipad: 0.25, 'laptop-windows': 0.25, macbook: 0.15 };

/** How a kind of person carries and uses devices. */
export interface CarryProfile {
  /** No phone, or Wi-Fi off: never probes. */
  noDevice: number;
  secondDevice: number;
  screenShare: number;
  associated: number;
}

export const CARRY_PROFILES = {
  passerBy: { noDevice: 0.15, secondDevice: 0.08, screenShare: 0.25, associated: 0 },
  visitor: { noDevice: 0.15, secondDevice: 0.12, screenShare: 0.2, associated: 0.05 },
  staff: { noDevice: 0.05, secondDevice: 0.2, screenShare: 0.1, associated: 0.8 },
  waiting: { noDevice: 0.15, secondDevice: 0.08, screenShare: 0.5, associated: 0 },
  seated: { noDevice: 0.15, secondDevice: 0.15, screenShare: 0.35, associated: 0.3 },
} as const satisfies Record<string, CarryProfile>;

export function carriedDevices(rng: Rng, personId: string, profile: CarryProfile): CarriedDevice[] {
  if (rng.chance(profile.noDevice)) return [];
  const devices = [makeDevice(rng, `${personId}/1`, pickModel(rng, PHONE_MIX), profile)];
  if (rng.chance(profile.secondDevice)) devices.push(makeDevice(rng, `${personId}/2`, pickModel(rng, SECOND_DEVICE_MIX), profile));
  return devices;
}

function makeDevice(rng: Rng, id: string, model: DeviceModel, profile: CarryProfile): CarriedDevice {
  let carryLoss: number;
  if (model.kind === 'watch') carryLoss = 1;
  else if (model.kind === 'laptop' || model.kind === 'tablet') carryLoss = rng.range(3, 7);
  else carryLoss = rng.weighted([0, 2, 5], (loss) => (loss === 0 ? 0.3 : loss === 2 ? 0.45 : 0.25));
  return {
    id,
    model,
    txOffset: rng.normal(0, 2),
    carryLoss,
    associated: model.kind !== 'watch' && rng.chance(profile.associated),
    ssids: rememberedNetworks(rng),
  };
}

export function fixedDevice(rng: Rng, id: string, modelId: string): CarriedDevice {
  return { id, model: modelById(modelId), txOffset: rng.normal(0, 2), carryLoss: 0, associated: false, ssids: rememberedNetworks(rng) };
}

function pickModel(rng: Rng, mix: Mix): DeviceModel {
  const id = rng.weighted(Object.keys(mix), (key) => mix[key] ?? 0);
  return MODELS[id] ?? modelById(id);
}

function rememberedNetworks(rng: Rng): string[] {
  const kinds = [
    () => `BTHub6-${rng.hex(2).toUpperCase()}${rng.int(10)}${rng.int(10)}`,
    () => `VM${String(rng.int(10_000_000)).padStart(7, '0')}`,
    () => `SKY${rng.hex(3).toUpperCase().slice(0, 5)}`,
    () => `TALKTALK${rng.hex(3).toUpperCase()}`,
    () => 'eduroam',
    () => '_The Cloud',
    () => `EE-Hub-${rng.hex(2)}`,
    () => `Office-${rng.int(90) + 10}`,
  ];
  const count = 1 + rng.int(4);
  return Array.from({ length: count }, () => rng.pick(kinds)());
}

/** Relative arrival rate by hour of day (UTC), peak 1: quiet morning, lunch peak, evening bump. */
export type HourlyProfile = readonly number[];

export const HIGH_STREET_PROFILE: HourlyProfile = [
  0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.15, 0.35, 0.45, 0.6, 0.8,
  1.0, 0.95, 0.8, 0.75, 0.8, 0.85, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05,
];

export const MALL_PROFILE: HourlyProfile = [
  0, 0, 0, 0, 0, 0, 0, 0.02, 0.1, 0.35, 0.55, 0.75,
  1.0, 0.95, 0.8, 0.75, 0.8, 0.9, 0.85, 0.6, 0.35, 0.15, 0, 0,
];

export function hourOfDay(t: number): number {
  return (((t % 86_400) + 86_400) % 86_400) / 3600;
}

/** Linear between hour centres, so the rate has no steps at the hour. */
export function profileAt(profile: HourlyProfile, t: number): number {
  const h = hourOfDay(t) - 0.5;
  const i = Math.floor(h);
  const f = h - i;
  const a = profile[(i + 24) % 24] ?? 0;
  const b = profile[(i + 25) % 24] ?? 0;
  return a + f * (b - a);
}

export interface ArrivalRate {
  /** People per hour at the profile's peak (already scaled). */
  peakPerHour: number;
  profile: HourlyProfile;
  /** Hours of day [from, to) outside which nobody arrives (opening hours). */
  open?: readonly [number, number];
}

export function rateAt(rate: ArrivalRate, t: number): number {
  if (rate.open !== undefined) {
    const h = hourOfDay(t);
    if (h < rate.open[0] || h >= rate.open[1]) return 0;
  }
  return (rate.peakPerHour * profileAt(rate.profile, t)) / 3600;
}

/** Non-homogeneous Poisson arrival times in [from, to), by thinning (Lewis & Shedler). */
export function* arrivalTimes(rng: Rng, rate: ArrivalRate, from: number, to: number): Generator<number> {
  const max = (rate.peakPerHour * Math.max(...rate.profile)) / 3600;
  if (max <= 0) return;
  let t = from;
  for (;;) {
    t += rng.exponential(1 / max);
    if (t >= to) return;
    if (rng.next() * max < rateAt(rate, t)) yield t;
  }
}
