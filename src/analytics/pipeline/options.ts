import { AppError } from '../../shared/errors.js';

/** How the per-sensor RSSI break is found; 'fixed' uses `fixedDbm`, 'off' keeps every probe. */
export type ThresholdMethod = '2means' | 'quantile' | 'fixed' | 'off';

export interface SignalOptions {
  method: ThresholdMethod;
  /** For 'quantile': probes below this quantile of the sensor's RSSI are below the break. */
  quantile: number;
  /** For 'fixed': the break in dBm. */
  fixedDbm: number;
  /** The rolling window: `windowBuckets` buckets of `bucketSeconds` (the current one included). */
  bucketSeconds: number;
  windowBuckets: number;
  /** Fewer probes than this in the window: no break yet, nothing dropped. */
  minSamples: number;
  /** The break is recomputed at most this often (stream time), from the probes before that moment. */
  recomputeSeconds: number;
  /** Drop randomised probes below the break (the paper). */
  dropRandomised: boolean;
  /** Drop global-MAC probes below the break too (the paper keeps them). */
  dropGlobal: boolean;
}

export interface StaticOptions {
  enabled: boolean;
  /** Presence is counted in buckets of this size. */
  bucketSeconds: number;
  /** A key is static at a bucket when it was present in >= minFraction of the buckets of the window ending there. */
  windowSeconds: number;
  minFraction: number;
  /** Near the stream's start the window is shorter; it must still be this long for a verdict. */
  minWindowSeconds: number;
  /**
   * How far after a probe its verdict may look (0: live, causal). With the default (one window) a fixed PC
   * is removed from its first probe, at the cost of results that lag the input by that much.
   */
  lookaheadSeconds: number;
  /** Once found static, a key stays static this long (a PC switched off overnight is still known next morning). */
  holdSeconds: number;
}

export interface LinkOptions {
  /** Sequence-number linking of randomised probes; off leaves one device per MAC. */
  enabled: boolean;
  /** Largest time gap of a link, seconds (the paper: 16). */
  alphaSeconds: number;
  /** Largest sequence-number step of a link, modulo 4096 (the paper: 60). */
  beta: number;
  /** A MAC unseen this long is forgotten: bounded state; a device seen again later starts afresh. */
  keyMemorySeconds: number;
}

export interface CountOptions {
  intervalSeconds: number;
  /** Footfall: a device is not counted again in a minute when it was seen this long before (the paper: 60 min). */
  dwellWindowSeconds: number;
  /** Occupancy of an interval: devices seen within a window this long... */
  occupancyWindowSeconds: number;
  /**
   * ...centred on the interval (its rows then wait half the excess over the interval, 2.5 min by
   * default, and follow arrivals and departures without lag), or ending with it (rows at once).
   */
  occupancyAlign: 'centred' | 'trailing';
  /** Strong signal (inside the venue), dBm. */
  visitorRssi: number;
  /** Strong-signal dwell (first to last strong probe of a visit) that makes a visitor. */
  visitorMinSeconds: number;
  /** Silence that ends a visit. */
  sessionTimeoutSeconds: number;
  /** Shorter stays are not visits (not exported). */
  minVisitSeconds: number;
}

export interface PipelineOptions {
  signal: SignalOptions;
  static: StaticOptions;
  linking: LinkOptions;
  counting: CountOptions;
  /** Also count the raw and filtered stages (for accuracy per stage); costs time. */
  stages: boolean;
}

export type PipelineOptionsInput = { [K in keyof PipelineOptions]?: PipelineOptions[K] extends object ? Partial<PipelineOptions[K]> : PipelineOptions[K] };

export const DEFAULT_OPTIONS: PipelineOptions = {
  signal: {
    method: '2means',
    quantile: 0.5,
    fixedDbm: -70,
    bucketSeconds: 3600,
    windowBuckets: 24,
    minSamples: 200,
    recomputeSeconds: 60,
    dropRandomised: true,
    dropGlobal: false,
  },
  static: { enabled: true, bucketSeconds: 120, windowSeconds: 3 * 3600, minFraction: 0.8, minWindowSeconds: 5400, lookaheadSeconds: 3 * 3600, holdSeconds: 24 * 3600 },
  linking: { enabled: true, alphaSeconds: 16, beta: 60, keyMemorySeconds: 2 * 3600 },
  counting: {
    intervalSeconds: 300,
    dwellWindowSeconds: 3600,
    occupancyWindowSeconds: 600,
    occupancyAlign: 'centred',
    visitorRssi: -70,
    visitorMinSeconds: 300,
    sessionTimeoutSeconds: 900,
    minVisitSeconds: 60,
  },
  stages: false,
};

/**
 * For a live stream (the ingest service): static devices are judged on the past only, so rows come
 * out as soon as their occupancy window has passed instead of `lookaheadSeconds` later. A device
 * already known static (within `holdSeconds`) is still removed from its first probe.
 */
export const LIVE_OPTIONS: PipelineOptionsInput = { static: { lookaheadSeconds: 0 } };

const METHODS: readonly ThresholdMethod[] = ['2means', 'quantile', 'fixed', 'off'];
const ALIGNMENTS: readonly CountOptions['occupancyAlign'][] = ['centred', 'trailing'];

function invalid(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `pipeline option ${path}: ${message}`, { fields: [{ path, message }] });
}

function check(path: string, value: number, min: number, max: number, integer = false): void {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw invalid(path, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
}

function validate(o: PipelineOptions): void {
  if (!METHODS.includes(o.signal.method)) throw invalid('signal.method', `must be one of ${METHODS.join(', ')}`);
  check('signal.quantile', o.signal.quantile, 0, 1);
  check('signal.fixedDbm', o.signal.fixedDbm, -128, 0);
  check('signal.bucketSeconds', o.signal.bucketSeconds, 1, 7 * 86400, true);
  check('signal.windowBuckets', o.signal.windowBuckets, 1, 10_000, true);
  check('signal.minSamples', o.signal.minSamples, 0, 1e9, true);
  check('signal.recomputeSeconds', o.signal.recomputeSeconds, 1, 86400, true);
  check('static.bucketSeconds', o.static.bucketSeconds, 1, 86400, true);
  check('static.windowSeconds', o.static.windowSeconds, o.static.bucketSeconds, 30 * 86400);
  check('static.minFraction', o.static.minFraction, 0.01, 1);
  check('static.minWindowSeconds', o.static.minWindowSeconds, o.static.bucketSeconds, o.static.windowSeconds);
  check('static.lookaheadSeconds', o.static.lookaheadSeconds, 0, 30 * 86400);
  check('static.holdSeconds', o.static.holdSeconds, 0, 365 * 86400);
  check('linking.alphaSeconds', o.linking.alphaSeconds, 0, 3600);
  check('linking.beta', o.linking.beta, 1, 4095, true);
  check('counting.intervalSeconds', o.counting.intervalSeconds, 1, 7 * 86400, true);
  check('counting.dwellWindowSeconds', o.counting.dwellWindowSeconds, 0, 7 * 86400);
  check('counting.occupancyWindowSeconds', o.counting.occupancyWindowSeconds, 1, 7 * 86400);
  if (!ALIGNMENTS.includes(o.counting.occupancyAlign)) throw invalid('counting.occupancyAlign', `must be one of ${ALIGNMENTS.join(', ')}`);
  check('counting.visitorRssi', o.counting.visitorRssi, -128, 0);
  check('counting.visitorMinSeconds', o.counting.visitorMinSeconds, 0, 86400);
  check('counting.sessionTimeoutSeconds', o.counting.sessionTimeoutSeconds, 1, 7 * 86400);
  check('counting.minVisitSeconds', o.counting.minVisitSeconds, 0, 86400);
  // A device forgotten sooner than these windows would be counted again inside them.
  const needed = Math.max(o.counting.dwellWindowSeconds, o.counting.sessionTimeoutSeconds, o.linking.alphaSeconds);
  check('linking.keyMemorySeconds', o.linking.keyMemorySeconds, needed, 365 * 86400);
}

/** Defaults merged with `input` (one level deep), validated: a bad value is a VALIDATION_FAILED naming it. */
export function resolveOptions(input: PipelineOptionsInput = {}): PipelineOptions {
  const options: PipelineOptions = {
    signal: { ...DEFAULT_OPTIONS.signal, ...input.signal },
    static: { ...DEFAULT_OPTIONS.static, ...input.static },
    linking: { ...DEFAULT_OPTIONS.linking, ...input.linking },
    counting: { ...DEFAULT_OPTIONS.counting, ...input.counting },
    stages: input.stages ?? DEFAULT_OPTIONS.stages,
  };
  validate(options);
  return options;
}
