import type { Observation } from '../../../src/analytics/pipeline/observation.js';

/**
 * Synthetic observations for tests and the throughput bench: a steady population of passers-by,
 * visitors and a few fixed devices in front of some sensors, with bursts, rotating random MACs and
 * 12-bit sequence counters. Generated lazily in time order with state bounded by the population,
 * so millions of observations never sit in memory at once.
 */
export interface SyntheticOptions {
  seed?: number;
  /** Epoch seconds of the first arrival. */
  start?: number;
  sensors?: readonly string[];
  /** Mean number of mobile devices in range at once. */
  population?: number;
  staticDevices?: number;
  /** Device models (IE fingerprints). */
  models?: number;
  /** Probes per burst, inclusive range (default 1..4). */
  burst?: readonly [number, number];
  /** A random MAC changes after this many bursts, inclusive range (default 1..6): with the default burst about 8 probes a MAC, as in the lab capture. */
  rotateEvery?: readonly [number, number];
}

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sim {
  key: string;
  randomised: boolean;
  seq: number;
  group: string;
  sensor: string;
  rssi: number;
  leaves: number;
  burstLeft: number;
  burstGap: number;
  rotateEvery: number;
  bursts: number;
  resetSeqOnRotate: boolean;
}

/** Min-heap of (time, device) pairs. */
class Heap {
  private readonly times: number[] = [];
  private readonly items: Sim[] = [];

  get size(): number {
    return this.times.length;
  }

  peekTime(): number {
    return this.times[0] ?? Number.POSITIVE_INFINITY;
  }

  push(time: number, item: Sim): void {
    let i = this.times.length;
    this.times.push(time);
    this.items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.times[parent]! <= time) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, Sim] {
    const top: [number, Sim] = [this.times[0]!, this.items[0]!];
    const lastTime = this.times.pop()!;
    const lastItem = this.items.pop()!;
    if (this.times.length > 0) {
      this.times[0] = lastTime;
      this.items[0] = lastItem;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.times.length && this.times[l]! < this.times[m]!) m = l;
        if (r < this.times.length && this.times[r]! < this.times[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b]!, this.times[a]!];
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
  }
}

const HEX = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

export function* syntheticObservations(count: number, options: SyntheticOptions = {}): Generator<Observation> {
  const random = prng(options.seed ?? 1);
  const sensors = options.sensors ?? ['door', 'window'];
  const population = options.population ?? 200;
  const models = options.models ?? 40;
  const start = options.start ?? 1_700_000_000;
  const [burstMin, burstMax] = options.burst ?? [1, 4];
  const [rotateMin, rotateMax] = options.rotateEvery ?? [1, 6];
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const meanStay = 240;
  const arrivalGap = meanStay / population;
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const byte = (): string => HEX[Math.floor(random() * 256)]!;
  const mac = (randomised: boolean): string =>
    `${HEX[randomised ? (Math.floor(random() * 64) << 2) | 0x02 : 0xa4]!}:${byte()}:${byte()}:${byte()}:${byte()}:${byte()}`;
  const heap = new Heap();
  const arrive = (t: number, fixed: boolean): void => {
    const visitor = !fixed && random() < 0.25;
    const randomised = !fixed && random() < 0.85;
    const sim: Sim = {
      key: mac(randomised),
      randomised,
      seq: Math.floor(random() * 4096),
      group: `model-${Math.floor(random() * models)}|@${random() < 0.7 ? '2.4' : '5'}`,
      sensor: pick(sensors),
      rssi: fixed ? -60 : visitor ? -45 - random() * 20 : -70 - random() * 20,
      leaves: fixed ? Number.POSITIVE_INFINITY : t + (visitor ? 300 + random() * 3000 : 20 + random() * 100),
      burstLeft: between(burstMin, burstMax),
      burstGap: fixed ? 60 : 5 + random() * 60,
      rotateEvery: between(rotateMin, rotateMax),
      bursts: 0,
      resetSeqOnRotate: random() < 0.5,
    };
    heap.push(t, sim);
  };
  for (let i = 0; i < (options.staticDevices ?? 3); i += 1) arrive(start + random() * 60, true);
  let nextArrival = start;
  for (let emitted = 0; emitted < count; ) {
    if (nextArrival <= heap.peekTime()) {
      arrive(nextArrival, false);
      nextArrival += -Math.log(1 - random()) * arrivalGap;
      continue;
    }
    const [t, sim] = heap.pop();
    if (t > sim.leaves) continue;
    yield { t, sensor: sim.sensor, key: sim.key, randomised: sim.randomised, rssi: Math.round(sim.rssi + (random() - 0.5) * 8), seq: sim.seq, group: sim.group };
    emitted += 1;
    sim.seq = (sim.seq + 1) & 4095;
    sim.burstLeft -= 1;
    if (sim.burstLeft > 0) {
      heap.push(t + 0.02, sim);
      continue;
    }
    sim.bursts += 1;
    sim.burstLeft = between(burstMin, burstMax);
    if (sim.randomised && sim.bursts % sim.rotateEvery === 0) {
      sim.key = mac(true);
      if (sim.resetSeqOnRotate) sim.seq = Math.floor(random() * 4096);
    }
    if (random() < 0.05) sim.sensor = pick(sensors);
    heap.push(t + sim.burstGap * (0.5 + random()), sim);
  }
}

/** A whole synthetic stream as an array (tests; the bench generates in chunks instead). */
export function syntheticArray(count: number, options: SyntheticOptions = {}): Observation[] {
  return [...syntheticObservations(count, options)];
}
