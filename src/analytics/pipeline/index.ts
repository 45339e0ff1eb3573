/**
 * The analytics pipeline: probe observations to devices, footfall, occupancy, visitors and visits,
 * as pure steps over arrays and as a streaming composition with bounded state. See
 * docs/analytics-method.md for the method and its parameters.
 */
export type { Observation } from './observation.js';
export { bandOf, groupOf, macKind, toObservation, type MacKind } from './to-observation.js';
export { DEFAULT_OPTIONS, LIVE_OPTIONS, resolveOptions, type CountOptions, type LinkOptions, type PipelineOptions, type PipelineOptionsInput, type SignalOptions, type StaticOptions, type ThresholdMethod } from './options.js';
export { filterBySignal, quantileBreak, SignalFilter, twoMeansBreak, type ThresholdRecord } from './rssi-threshold.js';
export { removeStaticDevices, StaticDetector } from './static-devices.js';
export { linkObservations, SequenceLinker, seqStep } from './sequence-link.js';
export { Device } from './device.js';
export { IntervalCounter, SensorRegistry, type CountRow } from './interval-counter.js';
export type { VisitRecord } from './visits.js';
export type { IntervalRow, SensorIntervalRow, StageCounts, StageRow } from './rows.js';
export { createPipeline, StreamingPipeline, type PipelineOutput } from './pipeline.js';
export { analyzeObservations, countDistinctKeys, countIntervals, sensorRegistryOf } from './batch.js';
export { accuracyOf, applyFit, calibrate, fitFactor, fitLinear, type Accuracy, type Calibration, type CalibrationMethod, type Fit, type Pair } from './calibration.js';
export { parseGroundTruth, parseInstant, truthByInterval, type TruthKind, type TruthRow } from './ground-truth.js';
export { calibrateAndScore, uncalibrated, type AccuracyReport, type CalibrationReport } from './report.js';
export { evaluate, vMeasure, type Evaluation, type Protocol } from './evaluation.js';
export { mergeByTime } from './merge-by-time.js';
