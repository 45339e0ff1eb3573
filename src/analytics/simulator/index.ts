/**
 * Synthetic probe requests with ground truth: a high street or a mall with
 * people, their phones' MAC randomisation and a radio channel to each sensor.
 * See docs/simulator.md for the model and its parameters.
 */
export {
  runSimulation, scenarioByName, simulate, simulateProbeBatches, simulateProbes, simulateTruth,
  type SimulationHooks, type SimulationProgress,
} from './engine.js';
export type { DeviceTruthRow } from './emitter.js';
export { SIMULATION_FILES, writeSimulation, type SimulationSummary } from './files.js';
export { encodeIes, fingerprintOf } from './ies.js';
export { isRandomising, MODELS, STATIC_MODELS, type DeviceModel } from './models.js';
export { DEFAULT_START_ISO, resolveOptions, SCENARIO_NAMES, type ScenarioName, type SimulationInput, type SimulationOptions } from './options.js';
export { PHONE_MIX, SECOND_DEVICE_MIX, type Role } from './population.js';
export { truthCsv, type PersonRecord, type SimulationTruth, type StayRecord, type TruthTable } from './truth.js';
