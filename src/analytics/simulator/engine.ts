import type { Probe } from '../probes/probe.js';
import { DeviceEmitter, type DeviceTruthRow, type EmitContext } from './emitter.js';
import { highStreetScenario } from './high-street.js';
import { mallScenario } from './mall.js';
import { resolveOptions, type ScenarioName, type SimulationInput, type SimulationOptions } from './options.js';
import type { Person } from './population.js';
import { createRng, type Rng } from './prng.js';
import { hearableChannels, sensorRuntimes } from './radio.js';
import { WARM_UP_SECONDS, type Scenario } from './scenario.js';
import { buildTruth, type SimulationTruth } from './truth.js';

/** Probes are generated a minute of simulated time at a time and sorted within it. */
const SLICE_SECONDS = 60;

export function scenarioByName(name: ScenarioName): Scenario {
  return name === 'mall' ? mallScenario() : highStreetScenario();
}

export interface SimulationProgress {
  /** Simulated time reached, epoch seconds. */
  t: number;
  fraction: number;
  probes: number;
}

export interface SimulationHooks {
  /** Called once per address the first time a sensor hears it (the rows of truth-devices.csv). */
  onDevice?: (row: DeviceTruthRow) => void;
  /** Called after each slice of simulated time. */
  onProgress?: (progress: SimulationProgress) => void;
}

interface World {
  options: SimulationOptions;
  scenario: Scenario;
  root: Rng;
  end: number;
}

function createWorld(input: SimulationInput | SimulationOptions): World {
  const options = resolveOptions(input);
  return { options, scenario: scenarioByName(options.scenario), root: createRng(`passby-sim/${options.seed}/${options.scenario}`), end: options.start + options.hours * 3600 };
}

function populationStreams(world: World): Iterator<Person>[] {
  const { options, scenario, root } = world;
  return scenario.population(root.fork('people'), options.start - WARM_UP_SECONDS, world.end, options.scale);
}

/**
 * Probes in time order, a slice at a time: the people (and fixed devices) who
 * appear are admitted as their time comes, every device runs its scans up to
 * the slice's end, and the slice is sorted. Probes of a burst that runs past
 * the slice's end wait for the next slice, so the output is globally sorted
 * while memory stays bounded by the people present.
 */
export function* simulateProbeBatches(input: SimulationInput | SimulationOptions, hooks: SimulationHooks = {}): Generator<Probe[]> {
  const world = createWorld(input);
  const { options, scenario, root, end } = world;
  const sensors = sensorRuntimes(scenario.sensors, root.fork('sensors'));
  const ctx: EmitContext = { sensors, walls: scenario.walls, env: scenario.radio, hearable: hearableChannels(sensors), includeIes: options.ies, iesCache: new Map() };
  const emitRng = root.fork('emit');
  const heads = populationStreams(world).map((it) => ({ it, next: it.next() }));
  let active: DeviceEmitter[] = [];
  let carry: Probe[] = [];
  let total = 0;
  for (let t0 = options.start; t0 < end; t0 += SLICE_SECONDS) {
    const t1 = Math.min(t0 + SLICE_SECONDS, end);
    for (const head of heads) {
      while (head.next.done !== true && head.next.value.appear < t1) {
        const person = head.next.value;
        if (person.disappear > options.start) {
          const from = Math.max(person.appear, options.start);
          for (const device of person.devices) active.push(new DeviceEmitter(ctx, person, device, emitRng.fork(device.id), from, Math.min(person.disappear, end)));
        }
        head.next = head.it.next();
      }
    }
    const batch = carry;
    for (const emitter of active) emitter.advance(t1, batch, hooks.onDevice);
    active = active.filter((emitter) => emitter.until > t1);
    batch.sort((a, b) => a.ts - b.ts);
    const cut = t1 >= end ? end : t1;
    let ready = 0;
    while (ready < batch.length && (batch[ready] as Probe).ts < cut) ready++;
    carry = t1 >= end ? [] : batch.slice(ready);
    const out = batch.slice(0, ready);
    total += out.length;
    hooks.onProgress?.({ t: t1, fraction: (t1 - options.start) / (end - options.start), probes: total });
    if (out.length > 0) yield out;
  }
}

/** Every probe, in time order. */
export function* simulateProbes(input: SimulationInput | SimulationOptions, hooks: SimulationHooks = {}): Generator<Probe> {
  for (const batch of simulateProbeBatches(input, hooks)) yield* batch;
}

/** The same probes as an async iterable, for consumers that pipe into async sinks. */
export async function* simulate(input: SimulationInput | SimulationOptions, hooks: SimulationHooks = {}): AsyncGenerator<Probe> {
  for (const batch of simulateProbeBatches(input, hooks)) {
    yield* batch;
    // Let I/O and timers run between slices.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Ground truth of a run (the same people as `simulateProbes` with the same options), without radio work. */
export function simulateTruth(input: SimulationInput | SimulationOptions): SimulationTruth {
  const world = createWorld(input);
  const people: Person[] = [];
  for (const stream of populationStreams(world)) {
    for (let next = stream.next(); next.done !== true; next = stream.next()) {
      if (next.value.disappear > world.options.start && next.value.appear < world.end) people.push(next.value);
    }
  }
  return buildTruth(world.scenario, people, world.options.start, world.end, world.options.interval);
}

/** Probes, address rows and truth of a (small) run, all in memory: for tests and demo seeding. */
export function runSimulation(input: SimulationInput | SimulationOptions): { options: SimulationOptions; probes: Probe[]; devices: DeviceTruthRow[]; truth: SimulationTruth } {
  const options = resolveOptions(input);
  const devices: DeviceTruthRow[] = [];
  const probes = [...simulateProbes(options, { onDevice: (row) => devices.push(row) })];
  return { options, probes, devices, truth: simulateTruth(options) };
}
