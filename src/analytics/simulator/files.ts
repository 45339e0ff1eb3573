import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors.js';
import { describeSimulation } from './describe.js';
import type { DeviceTruthRow } from './emitter.js';
import { scenarioByName, simulateProbeBatches, simulateTruth, type SimulationProgress } from './engine.js';
import { resolveOptions, type SimulationInput, type SimulationOptions } from './options.js';
import { truthCsv } from './truth.js';

export const SIMULATION_FILES = ['probes.ndjson', 'truth-footfall.csv', 'truth-occupancy.csv', 'truth-devices.csv', 'scenario.json'] as const;

export interface SimulationSummary {
  scenario: string;
  start: string;
  hours: number;
  seed: number;
  /** People present at some time in the window (fixed devices not included). */
  people: number;
  /** Devices carried by those people, plus fixed devices. */
  devices: number;
  /** Distinct addresses heard (rows of truth-devices.csv). */
  addresses: number;
  probes: number;
  outDir: string;
  files: string[];
}

/** A write stream that waits for the disk when its buffer is full and turns I/O errors into one clear error. */
class Sink {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (error) => (this.failure = error));
  }

  async write(text: string): Promise<void> {
    this.check();
    if (!this.stream.write(text)) await this.settle(once(this.stream, 'drain'));
  }

  async close(): Promise<void> {
    this.check();
    this.stream.end();
    await this.settle(once(this.stream, 'finish'));
    this.check();
  }

  private async settle(wait: Promise<unknown>): Promise<void> {
    try {
      await wait;
    } catch (error) {
      this.failure = error as Error;
    }
  }

  private check(): void {
    if (this.failure !== undefined) throw new AppError('VALIDATION_FAILED', `cannot write ${this.path}: ${this.failure.message}`);
  }
}

const csvField = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const deviceRow = (r: DeviceTruthRow): string =>
  `${r.mac},${csvField(r.person)},${r.role},${csvField(r.device)},${r.model},${r.randomised ? 1 : 0},${r.rotation},${r.firstSeen}\n`;

/**
 * Runs a simulation into `outDir`: probes streamed to probes.ndjson as they are
 * generated (one slice in memory at a time), the address truth streamed
 * alongside, then the footfall/occupancy truth and scenario.json.
 */
export async function writeSimulation(input: SimulationInput | SimulationOptions, outDir: string, onProgress?: (p: SimulationProgress) => void): Promise<SimulationSummary> {
  const options = resolveOptions(input);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `cannot create ${outDir}: ${(error as Error).message}`);
  }
  const probesFile = new Sink(join(outDir, 'probes.ndjson'));
  const devicesFile = new Sink(join(outDir, 'truth-devices.csv'));
  await devicesFile.write('mac,person,role,device,model,randomised,rotation,first_seen\n');
  let deviceLines: string[] = [];
  let addresses = 0;
  let probes = 0;
  const hooks = {
    onDevice: (row: DeviceTruthRow) => {
      deviceLines.push(deviceRow(row));
      addresses += 1;
    },
    ...(onProgress ? { onProgress } : {}),
  };
  for (const batch of simulateProbeBatches(options, hooks)) {
    let text = '';
    for (const probe of batch) text += `${JSON.stringify(probe)}\n`;
    probes += batch.length;
    await probesFile.write(text);
    if (deviceLines.length > 0) {
      await devicesFile.write(deviceLines.join(''));
      deviceLines = [];
    }
  }
  await probesFile.close();
  await devicesFile.close();

  const truth = simulateTruth(options);
  const scenario = scenarioByName(options.scenario);
  try {
    writeFileSync(join(outDir, 'truth-footfall.csv'), truthCsv(truth.footfall));
    writeFileSync(join(outDir, 'truth-occupancy.csv'), truthCsv(truth.occupancy));
    writeFileSync(join(outDir, 'scenario.json'), `${JSON.stringify(describeSimulation(options, scenario), null, 2)}\n`);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `cannot write to ${outDir}: ${(error as Error).message}`);
  }
  return {
    scenario: options.scenario,
    start: new Date(options.start * 1000).toISOString(),
    hours: options.hours,
    seed: options.seed,
    people: truth.people.filter((p) => p.role !== 'static').length,
    devices: truth.people.reduce((sum, p) => sum + p.devices.length, 0),
    addresses,
    probes,
    outDir,
    files: [...SIMULATION_FILES],
  };
}
