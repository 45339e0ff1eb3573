import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { CalibrationMethod } from '../analytics/pipeline/calibration.js';
import { parseGroundTruth, parseInstant, truthByInterval, type TruthKind } from '../analytics/pipeline/ground-truth.js';
import { mergeByTime } from '../analytics/pipeline/merge-by-time.js';
import type { ThresholdMethod } from '../analytics/pipeline/options.js';
import { createPipeline, type PipelineOutput } from '../analytics/pipeline/pipeline.js';
import { calibrateAndScore, uncalibrated } from '../analytics/pipeline/report.js';
import { toObservation } from '../analytics/pipeline/to-observation.js';
import type { Probe } from '../analytics/probes/probe.js';
import { readProbeBatches } from '../analytics/probes/read.js';
import { AppError, isAppError } from '../shared/errors.js';

interface AnalyzeFlags {
  input: string[];
  interval: number;
  groundTruth?: string;
  truthKind: TruthKind;
  calibrateUntil?: string;
  calibration: CalibrationMethod;
  timezone: string;
  sensor?: string;
  alpha: number;
  beta: number;
  thresholdMethod: ThresholdMethod;
  thresholdDbm: number;
  thresholdQuantile: number;
  thresholdWindow: number;
  filterGlobal?: boolean;
  static: boolean;
  staticLookahead: number;
  linking: boolean;
  fingerprints: boolean;
  visitorRssi: number;
  visitorMinutes: number;
  sessionTimeout: number;
  occupancyWindow: number;
  occupancyAlign: 'centred' | 'trailing';
  bySensor?: boolean;
  visits?: boolean;
  details?: boolean;
}

const number =
  (name: string, min: number, max: number, integer = false) =>
  (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return value;
  };

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (text: string): T => {
    if (!(values as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
    return text as T;
  };

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const MAX_WARNINGS = 20;

/** Probes of one file, bad records reported to stderr (the first few, then a count). */
async function* probesOf(path: string, flags: AnalyzeFlags, warn: (text: string) => void): AsyncGenerator<Probe[]> {
  const sensor = flags.sensor ?? basename(path).split('.')[0] ?? path;
  for await (const batch of readProbeBatches(path, { sensor, timeZone: flags.timezone })) {
    const probes: Probe[] = [];
    for (const record of batch) {
      if (record.ok) probes.push(record.probe);
      else warn(`${path}${record.line === undefined ? '' : ` line ${record.line}`}${record.offset === undefined ? '' : ` byte ${record.offset}`}: ${record.error}`);
    }
    if (probes.length > 0) yield probes;
  }
}

async function runPipeline(flags: AnalyzeFlags, stages: boolean): Promise<PipelineOutput> {
  let warnings = 0;
  const warn = (text: string): void => {
    warnings += 1;
    if (warnings <= MAX_WARNINGS) process.stderr.write(`passby: skipped ${text}\n`);
  };
  const pipeline = createPipeline({
    signal: { method: flags.thresholdMethod, fixedDbm: flags.thresholdDbm, quantile: flags.thresholdQuantile, windowBuckets: flags.thresholdWindow, dropGlobal: flags.filterGlobal === true },
    static: { enabled: flags.static, lookaheadSeconds: flags.staticLookahead },
    linking: { enabled: flags.linking, alphaSeconds: flags.alpha, beta: flags.beta },
    counting: {
      intervalSeconds: flags.interval,
      visitorRssi: flags.visitorRssi,
      visitorMinSeconds: flags.visitorMinutes * 60,
      sessionTimeoutSeconds: flags.sessionTimeout,
      occupancyWindowSeconds: flags.occupancyWindow,
      occupancyAlign: flags.occupancyAlign,
    },
    stages,
  });
  const sources = flags.input.map((path) => probesOf(path, flags, warn));
  // A damaged capture still gives the probes before the damage: analyse those, say so, go on.
  const onError = (error: unknown, source: number): void => {
    if (isAppError(error) && error.code === 'PROBES_UNREADABLE' && error.details?.offset !== undefined) {
      process.stderr.write(`passby: ${flags.input[source]}: ${error.message}; analysed the probes before it\n`);
      return;
    }
    throw error;
  };
  for await (const batch of mergeByTime(sources, (probe) => probe.ts, onError)) {
    for (const probe of batch) {
      const obs = toObservation(probe, probe.mac, flags.fingerprints ? undefined : '');
      if (obs !== undefined) pipeline.push(obs);
    }
  }
  if (warnings > MAX_WARNINGS) process.stderr.write(`passby: skipped ${warnings} bad records in all (first ${MAX_WARNINGS} shown)\n`);
  pipeline.flush();
  return pipeline.drain();
}

async function readTruth(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError('GROUND_TRUTH_INVALID', `cannot read ${path}: ${(error as Error).message}`, { path });
  }
}

async function analyze(flags: AnalyzeFlags): Promise<void> {
  const until = flags.calibrateUntil === undefined ? undefined : parseInstant(flags.calibrateUntil.trim(), flags.timezone);
  if (flags.calibrateUntil !== undefined && until === undefined) {
    throw new AppError('VALIDATION_FAILED', `--calibrate-until "${flags.calibrateUntil}" is not epoch seconds or an ISO 8601 time`, {
      fields: [{ path: 'calibrate-until', message: 'not a time' }],
    });
  }
  // Read the counts first: a bad file fails before minutes of analysis.
  const truthRows = flags.groundTruth === undefined ? undefined : parseGroundTruth(await readTruth(flags.groundTruth), flags.timezone);
  const out = await runPipeline(flags, truthRows !== undefined || flags.details === true);
  const result: Record<string, unknown> = { intervals: out.rows, calibration: uncalibrated(), accuracy: null };
  if (truthRows !== undefined) {
    const scored = calibrateAndScore({
      rows: out.rows,
      stageRows: out.stageRows,
      truth: truthByInterval(truthRows, flags.interval, flags.truthKind),
      kind: flags.truthKind,
      intervalSeconds: flags.interval,
      ...(until === undefined ? {} : { calibrateUntil: until }),
      method: flags.calibration,
    });
    Object.assign(result, { intervals: scored.rows, calibration: scored.calibration, accuracy: scored.accuracy });
  }
  if (flags.bySensor === true) result.sensors = out.sensorRows;
  if (flags.visits === true) result.visits = out.visits;
  if (flags.details === true) Object.assign(result, { stages: out.stageRows, thresholds: out.thresholds, static: out.staticKeys });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** `passby analyze`: footfall, occupancy, visitors per interval from probe files, optionally calibrated on manual counts. */
export function registerAnalyzeCommand(program: Command): void {
  program
    .command('analyze')
    .description('estimate devices, footfall, occupancy and visitors per interval from probe-request files; prints JSON')
    .requiredOption('--input <file>', 'probe file: pcap, pcapng, NDJSON, JSON, CSV, gzip of any (repeat for more; merged by time)', collect)
    .option('--interval <seconds>', 'interval length', number('--interval', 1, 7 * 86400, true), 300)
    .option('--ground-truth <csv>', 'manual counts: header, then interval start (epoch s or ISO 8601), count')
    .option('--truth-kind <kind>', 'what the counts measure: footfall | occupancy', oneOf<TruthKind>(['footfall', 'occupancy']), 'footfall')
    .option('--calibrate-until <time>', 'counts before this time calibrate, later ones measure accuracy (default: all do both, in-sample)')
    .option('--calibration <method>', 'auto (lower leave-one-out error) | factor (the paper) | linear (a*x+b, b <= 0)', oneOf<CalibrationMethod>(['auto', 'factor', 'linear']), 'auto')
    .option('--timezone <zone>', 'IANA zone for times written without an offset', 'UTC')
    .option('--sensor <name>', 'sensor name for inputs that do not name one (default: the file name)')
    .option('--alpha <seconds>', 'sequence linking: largest time gap', number('--alpha', 0, 3600), 16)
    .option('--beta <n>', 'sequence linking: largest sequence-number step', number('--beta', 1, 4095, true), 60)
    .option('--threshold-method <method>', 'RSSI break per sensor: 2means | quantile | fixed | off', oneOf<ThresholdMethod>(['2means', 'quantile', 'fixed', 'off']), '2means')
    .option('--threshold-dbm <dBm>', 'the break for --threshold-method fixed', number('--threshold-dbm', -128, 0), -70)
    .option('--threshold-quantile <q>', 'the quantile for --threshold-method quantile', number('--threshold-quantile', 0, 1), 0.5)
    .option('--threshold-window <hours>', 'rolling window of the RSSI break, hours', number('--threshold-window', 1, 10_000, true), 24)
    .option('--filter-global', 'drop global-MAC probes below the break too (the paper keeps them)')
    .option('--no-static', 'keep static devices (fixed PCs, printers, TVs)')
    .option('--static-lookahead <seconds>', 'how far static detection may look ahead (0: causal)', number('--static-lookahead', 0, 30 * 86400), 3 * 3600)
    .option('--no-linking', 'no sequence-number linking: one device per MAC')
    .option('--no-fingerprints', 'link all randomised probes in one group, not per IE fingerprint')
    .option('--visitor-rssi <dBm>', 'strong signal (inside) from this RSSI', number('--visitor-rssi', -128, 0), -70)
    .option('--visitor-minutes <minutes>', 'strong-signal dwell that makes a visitor', number('--visitor-minutes', 0, 1440), 5)
    .option('--session-timeout <seconds>', 'silence that ends a visit', number('--session-timeout', 1, 7 * 86400), 900)
    .option('--occupancy-window <seconds>', 'occupancy: devices seen within a window this long...', number('--occupancy-window', 1, 86400), 600)
    .option('--occupancy-align <align>', '...centred on the interval, or trailing (ending with it)', oneOf<'centred' | 'trailing'>(['centred', 'trailing']), 'centred')
    .option('--by-sensor', 'add "sensors": the rows of each sensor')
    .option('--visits', 'add "visits": every closed visit (device, sensors in order, start, end, kind)')
    .option('--details', 'add "stages", "thresholds" and "static" (per-stage estimates, RSSI breaks, static MACs)')
    .action((flags: AnalyzeFlags) => analyze(flags));
}
