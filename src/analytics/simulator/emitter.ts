import type { Probe } from '../probes/probe.js';
import { poseAt, type Pose, type Wall } from './geometry.js';
import { encodeIes, fingerprintOf } from './ies.js';
import { macOfKind, randomMac } from './mac.js';
import { isRandomising, type DeviceModel } from './models.js';
import type { CarriedDevice, Person, Role } from './population.js';
import type { Rng } from './prng.js';
import { BAND_24, BAND_5, bandOf, channelLoss, decoded, fadingDb, meanReceived, nextShadow, type Band, type SensorRuntime } from './radio.js';
import type { RadioEnvironment } from './scenario.js';

/** One address a device used and a sensor heard: what association quality is measured against. */
export interface DeviceTruthRow {
  mac: string;
  person: string;
  role: Role;
  device: string;
  model: string;
  randomised: boolean;
  /** How the device changes this address: the model's policy, or `per-network` for a connected device's stable random address. */
  rotation: 'per-scan' | 'interval' | 'never' | 'per-network';
  /** Epoch seconds of the first probe heard from this address. */
  firstSeen: number;
}

export interface EmitContext {
  sensors: readonly SensorRuntime[];
  walls: readonly Wall[];
  env: RadioEnvironment;
  hearable: ReadonlySet<number>;
  includeIes: boolean;
  /** Wildcard-probe IE hex per model id, indexed by channel. */
  iesCache: Map<string, string[]>;
}

interface SensorMeans {
  rx: number[];
  distance: number[];
}

/** Screen-on sessions are short; the off time follows from the person's screen-on share. */
const SCREEN_ON_MEAN_SECONDS = 75;
/** Connected devices scan less often (background scans only). */
const ASSOCIATED_SCAN_FACTOR = 3;
/** Frames other than probes that advance a connected device's sequence counter, per second. */
const ASSOCIATED_FRAMES_PER_SECOND = 0.3;

/**
 * The probe requests of one device over time: scans scheduled by screen
 * state (Android-style backoff while on, long intervals while off), each scan
 * a burst over the model's channels, an address rotated per the model's
 * policy and a 12-bit sequence counter that the model keeps or resets.
 */
export class DeviceEmitter {
  private readonly model: DeviceModel;
  private readonly fixed: boolean;
  private readonly fp: [string, string];
  private readonly wildcardIes: string[];
  private mac = '';
  private macExpires = Infinity;
  private macReported = false;
  private seq: number;
  private screenOn: boolean;
  private screenToggle: number;
  private backoff: number;
  private nextScan: number;
  private lastScan: number;
  private readonly shadows: (number | undefined)[][];
  private lastPose: Pose | undefined;

  constructor(
    private readonly ctx: EmitContext,
    private readonly person: Person,
    private readonly device: CarriedDevice,
    private readonly rng: Rng,
    from: number,
    readonly until: number,
  ) {
    this.model = device.model;
    this.fixed = this.model.kind === 'fixed';
    this.fp = [fingerprintOf(this.model.ies24), fingerprintOf(this.model.ies5 ?? this.model.ies24)];
    const cached = ctx.iesCache.get(this.model.id);
    this.wildcardIes = cached ?? [];
    if (cached === undefined) ctx.iesCache.set(this.model.id, this.wildcardIes);
    this.seq = rng.int(4096);
    this.shadows = ctx.sensors.map(() => [undefined, undefined]);
    this.screenOn = !this.fixed && rng.chance(person.screenShare);
    this.screenToggle = this.fixed ? Infinity : from + this.screenDuration();
    this.backoff = this.model.scanOn.first;
    this.nextScan = from + rng.next() * this.interval();
    this.lastScan = from;
    if (device.associated) this.mac = randomMac(rng);
    else if (this.model.mac.kind === 'global') this.mac = macOfKind(rng, this.model.mac);
  }

  /** Emits every probe of scans starting before `t1` (a burst may run a little past it). */
  advance(t1: number, out: Probe[], onDevice?: (row: DeviceTruthRow) => void): void {
    const end = Math.min(t1, this.until);
    for (;;) {
      if (this.screenToggle <= this.nextScan && this.screenToggle < end) this.toggleScreen();
      else if (this.nextScan < end) {
        this.scan(this.nextScan, out, onDevice);
        this.nextScan += this.interval();
      } else return;
    }
  }

  private screenDuration(): number {
    const share = Math.min(0.95, Math.max(0.02, this.person.screenShare));
    return this.rng.exponential(this.screenOn ? SCREEN_ON_MEAN_SECONDS : (SCREEN_ON_MEAN_SECONDS * (1 - share)) / share);
  }

  private toggleScreen(): void {
    const t = this.screenToggle;
    this.screenOn = !this.screenOn;
    this.screenToggle = t + this.screenDuration();
    if (this.screenOn) {
      // Waking the screen triggers a scan at once (Android and iOS both do).
      this.backoff = this.model.scanOn.first;
      this.nextScan = Math.min(this.nextScan, t + this.rng.range(0.3, 3));
    } else {
      this.nextScan = Math.max(this.nextScan, t + this.rng.range(...this.model.scanOff));
    }
  }

  private interval(): number {
    let seconds: number;
    if (this.screenOn && !this.fixed) {
      seconds = this.backoff * this.rng.range(0.9, 1.1);
      this.backoff = Math.min(this.backoff * 2, this.model.scanOn.max);
    } else {
      seconds = this.rng.range(...this.model.scanOff);
    }
    return this.device.associated ? seconds * ASSOCIATED_SCAN_FACTOR : seconds;
  }

  private rotate(t: number): void {
    const rotation = this.model.rotation;
    const due = this.mac === '' || rotation.kind === 'per-scan' || (rotation.kind === 'interval' && t >= this.macExpires);
    if (this.device.associated || !isRandomising(this.model) || !due) return;
    const first = this.mac === '';
    this.mac = macOfKind(this.rng, this.model.mac);
    this.macReported = false;
    if (rotation.kind === 'interval') this.macExpires = t + rotation.minutes * 60 * this.rng.range(0.8, 1.2);
    if (!first && this.model.seqOnChange === 'random') this.seq = this.rng.int(4096);
    if (!first && this.model.seqOnChange === 'zero') this.seq = 0;
  }

  private scan(t: number, out: Probe[], onDevice?: (row: DeviceTruthRow) => void): void {
    this.rotate(t);
    if (this.device.associated) this.seq = (this.seq + this.rng.poisson(ASSOCIATED_FRAMES_PER_SECOND * (t - this.lastScan))) & 4095;
    this.lastScan = t;
    const model = this.model;
    const partial = this.rng.chance(model.partialScanShare);
    const channels = partial ? [...model.channels24.filter((c) => c === 1 || c === 6 || c === 11), ...model.channels5.slice(0, 1)] : [...model.channels24, ...model.channels5];
    const perChannel = this.rng.weighted(model.probesPerChannel, ([, weight]) => weight)[0];
    const directed = this.rng.chance(model.directedShare) ? this.device.ssids : [];
    const means: (SensorMeans | undefined)[] = [undefined, undefined];
    let pose: Pose | undefined;
    let tc = t;
    for (const channel of channels) {
      const count = perChannel + directed.length;
      if (!this.ctx.hearable.has(channel)) {
        this.seq = (this.seq + count) & 4095;
        tc += model.channelTimeMs / 1000;
        continue;
      }
      const band = bandOf(channel);
      pose ??= poseAt(this.person.path, t);
      const mean = (means[band] ??= this.sensorMeans(pose, band, t));
      for (let k = 0; k < count; k++) {
        const tp = tc + (k * model.probeGapMs * this.rng.range(0.8, 1.2)) / 1000;
        const ssid = k < perChannel ? '' : (directed[k - perChannel] ?? '');
        this.hear(tp, channel, band, ssid, mean, out, onDevice);
        this.seq = (this.seq + 1) & 4095;
      }
      tc += (model.channelTimeMs * this.rng.range(0.85, 1.15)) / 1000;
    }
    if (pose !== undefined) this.lastPose = pose;
  }

  /** Mean received power at each sensor for this scan (shadowing included), NaN when far out of range. */
  private sensorMeans(pose: Pose, band: Band, t: number): SensorMeans {
    const link = {
      txPower: (band === BAND_5 ? this.model.txPower - 2 : this.model.txPower) + this.device.txOffset,
      carryLoss: this.device.carryLoss,
      bodyLoss: this.fixed ? 0 : this.model.kind === 'watch' ? this.person.bodyLoss / 2 : this.person.bodyLoss,
    };
    const moved = this.lastPose === undefined ? 0 : Math.hypot(pose.x - this.lastPose.x, pose.y - this.lastPose.y);
    const elapsed = t - this.lastScan;
    const result: SensorMeans = { rx: [], distance: [] };
    this.ctx.sensors.forEach((sensor, i) => {
      const { rx, distance } = meanReceived(this.ctx.env, this.ctx.walls, sensor.spec, pose, link, band);
      const shadows = this.shadows[i] as (number | undefined)[];
      const shadow = nextShadow(this.rng, this.ctx.env, shadows[band], moved, elapsed);
      shadows[band] = shadow;
      // Fading rarely adds more than a few dB: skip sensors hopelessly out of range.
      result.rx.push(rx + shadow < this.ctx.env.sensitivity - 12 ? NaN : rx + shadow);
      result.distance.push(distance);
    });
    return result;
  }

  private hear(tp: number, channel: number, band: Band, ssid: string, means: SensorMeans, out: Probe[], onDevice?: (row: DeviceTruthRow) => void): void {
    const env = this.ctx.env;
    for (let i = 0; i < means.rx.length; i++) {
      const mean = means.rx[i] as number;
      if (Number.isNaN(mean)) continue;
      const sensor = this.ctx.sensors[i] as SensorRuntime;
      const leak = channelLoss(sensor, channel, tp);
      if (leak === Infinity) continue;
      const rx = mean - leak + fadingDb(this.rng, env, means.distance[i] as number);
      if (!decoded(this.rng, env, rx)) continue;
      const probe: Probe = {
        ts: Math.round(tp * 1e6) / 1e6,
        sensor: sensor.spec.id,
        mac: this.mac,
        rssi: Math.round(Math.min(env.saturation, rx)),
        seq: this.seq,
        ssid,
        channel,
        fp: this.fp[band === BAND_24 ? 0 : 1],
      };
      if (this.ctx.includeIes) probe.ies = this.ies(channel, band, ssid);
      out.push(probe);
      if (!this.macReported) {
        this.macReported = true;
        onDevice?.({
          mac: this.mac, person: this.person.id, role: this.person.role, device: this.device.id, model: this.model.id,
          randomised: this.device.associated || isRandomising(this.model),
          rotation: this.device.associated ? 'per-network' : this.model.rotation.kind,
          firstSeen: probe.ts,
        });
      }
    }
  }

  private ies(channel: number, band: Band, ssid: string): string {
    const template = band === BAND_5 && this.model.ies5 !== undefined ? this.model.ies5 : this.model.ies24;
    if (ssid !== '') return encodeIes(template, channel, ssid);
    return (this.wildcardIes[channel] ??= encodeIes(template, channel, ''));
  }
}
