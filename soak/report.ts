import type { Sample } from './sampler.js';
import { lostTotal, type LossReport } from './verify.js';

export interface OpFigures {
  op: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  perSecond: number;
}

export interface MemoryTrend {
  /** Least-squares slope of the heap floor (each window's minimum) after warm-up, MB per minute. */
  heapSlopeMbPerMin: number;
  /** The last window's heap floor over the first's (windows of a minute, or a quarter of a short run). */
  heapRatio: number;
  heapFirstMb: number;
  heapLastMb: number;
  heapMaxMb: number;
  rssMaxMb: number;
  windowSeconds: number;
}

export interface LoadReport {
  seconds: number;
  operations: OpFigures[];
  maxQueueDepth: Record<string, number>;
  /** Depth per queue after the drain (waiting + active + delayed). */
  finalQueueDepth: Record<string, number>;
  /** Waiting + active per queue after the drain: all 0 when everything accepted was processed. */
  finalBusy: Record<string, number>;
  memory: MemoryTrend;
  loss: LossReport;
  failures: Record<string, number>;
  samples: Sample[];
}

/** Soak verdict thresholds: stated here, printed with the report. */
export const THRESHOLDS = {
  /** Heap grows without bound when it keeps climbing faster than this after warm-up... */
  heapSlopeMbPerMin: 5,
  /** ...and its last minute's floor is this much above its first's. Floors, not means: a sawtooth GC is not a leak. */
  heapRatio: 1.5,
  /** Queue depth grows without bound when the last third's max exceeds the first third's by this factor plus slack. */
  queueGrowthFactor: 2,
  queueGrowthSlack: 50,
};

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

export function operationFigures(latencies: Map<string, number[]>, seconds: number): OpFigures[] {
  return [...latencies.entries()].map(([op, list]) => {
    const s = [...list].sort((a, b) => a - b);
    return { op, n: s.length, p50: pct(s, 0.5), p95: pct(s, 0.95), p99: pct(s, 0.99), max: s.at(-1) ?? Number.NaN, perSecond: s.length / seconds };
  });
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * The heap's floor per window: a collector's sawtooth climbs and drops by hundreds of MB, so the
 * minimum of each window (what survived the last collection) is the live data a leak would grow.
 */
function floors(heap: Sample[], windowSeconds: number): { t: number; mb: number }[] {
  const t0 = heap[0]?.t ?? 0;
  const byWindow = new Map<number, Sample[]>();
  for (const s of heap) {
    const w = Math.floor((s.t - t0) / windowSeconds);
    byWindow.set(w, [...(byWindow.get(w) ?? []), s]);
  }
  // A short trailing window may hold only the top of one climb: its "floor" would be a peak.
  const full = [...byWindow.values()].filter((w, i, all) => i < all.length - 1 || (w.at(-1)?.t ?? 0) - (w[0]?.t ?? 0) >= windowSeconds / 2);
  return full.map((w) => ({ t: mean(w.map((s) => s.t)), mb: Math.min(...w.map((s) => s.heapMb)) }));
}

export function memoryTrend(samples: Sample[], warmupSeconds: number): MemoryTrend {
  const heap = samples.filter((s) => s.t >= warmupSeconds && Number.isFinite(s.heapMb));
  const span = (heap.at(-1)?.t ?? 0) - (heap[0]?.t ?? 0);
  const windowSeconds = Math.max(1, Math.min(60, span / 4));
  const points = floors(heap, windowSeconds);
  const first = points[0]?.mb ?? Number.NaN;
  const last = points.at(-1)?.mb ?? Number.NaN;
  const mx = mean(points.map((p) => p.t));
  const my = mean(points.map((p) => p.mb));
  const sxx = points.reduce((a, p) => a + (p.t - mx) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p.t - mx) * (p.mb - my), 0);
  return {
    heapSlopeMbPerMin: sxx > 0 ? (sxy / sxx) * 60 : 0,
    heapRatio: last / first,
    heapFirstMb: first,
    heapLastMb: last,
    heapMaxMb: Math.max(...samples.map((s) => s.heapMb).filter(Number.isFinite)),
    rssMaxMb: Math.max(...samples.map((s) => s.rssMb).filter(Number.isFinite)),
    windowSeconds,
  };
}

export function maxDepth(samples: Sample[]): Record<string, number> {
  const max: Record<string, number> = {};
  for (const s of samples) for (const [q, n] of Object.entries(s.depth)) max[q] = Math.max(max[q] ?? 0, n);
  return max;
}

/** Why the soak fails (empty: it passed). */
export function verdict(report: LoadReport): string[] {
  const problems: string[] = [];
  const stuck = Object.entries(report.finalBusy).filter(([, n]) => n > 0);
  if (stuck.length > 0) problems.push(`not drained: ${stuck.map(([q, n]) => `${q} ${n}`).join(', ')}`);
  if (lostTotal(report.loss) > 0) problems.push(`lost or doubled: ${JSON.stringify(report.loss)}`);
  const m = report.memory;
  if (m.heapSlopeMbPerMin > THRESHOLDS.heapSlopeMbPerMin && m.heapRatio > THRESHOLDS.heapRatio) {
    problems.push(`heap grew ${m.heapSlopeMbPerMin.toFixed(1)} MB/min, last/first ${m.heapRatio.toFixed(2)} (limits ${THRESHOLDS.heapSlopeMbPerMin} MB/min and ${THRESHOLDS.heapRatio}x)`);
  }
  const third = report.seconds / 3;
  const early = maxDepth(report.samples.filter((s) => s.t < third));
  const late = maxDepth(report.samples.filter((s) => s.t >= 2 * third && s.t <= report.seconds));
  for (const [q, n] of Object.entries(late)) {
    const limit = (early[q] ?? 0) * THRESHOLDS.queueGrowthFactor + THRESHOLDS.queueGrowthSlack;
    if (n > limit) problems.push(`queue ${q} depth grew: ${n} in the last third against ${early[q] ?? 0} in the first (limit ${limit})`);
  }
  return problems;
}

const num = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

export function formatReport(report: LoadReport): string {
  const lines = [`Combined load, ${report.seconds} s: ingest + portal sign-ins + trigger events against one app process`, ''];
  lines.push(`${'operation'.padEnd(32)}${'n'.padStart(7)}${'/s'.padStart(7)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}`);
  for (const f of report.operations) {
    lines.push(`${f.op.padEnd(32)}${String(f.n).padStart(7)}${num(f.perSecond).padStart(7)}${num(f.p50).padStart(9)}${num(f.p95).padStart(9)}${num(f.p99).padStart(9)}${num(f.max).padStart(9)}`);
  }
  const m = report.memory;
  const l = report.loss;
  lines.push(
    '',
    `queues max depth: ${Object.entries(report.maxQueueDepth).map(([q, n]) => `${q} ${n}`).join(', ')}`,
    `queues after drain (waiting+active / incl. scheduled): ${Object.entries(report.finalQueueDepth).map(([q, n]) => `${q} ${report.finalBusy[q] ?? 0}/${n}`).join(', ')}`,
    `memory: heap floor ${num(m.heapFirstMb)} -> ${num(m.heapLastMb)} MB (max ${num(m.heapMaxMb)}), slope ${num(m.heapSlopeMbPerMin, 2)} MB/min, last/first ${num(m.heapRatio, 2)} (windows ${num(m.windowSeconds, 0)} s); RSS max ${num(m.rssMaxMb)} MB`,
    `accepted: ${l.batchesAccepted} batches (${l.probesAccepted} probes), ${l.loginsCompleted} logins, ${l.eventsAccepted} events (${l.smsExpected} with SMS)`,
    `lost or doubled: batches ${l.batchesLost}, probes ${l.probesMismatch}, logins ${l.loginsLost}, decisions ${l.decisionsWrong}, webhooks ${l.webhooksWrong} (+${l.webhookDuplicates} duplicates), SMS ${l.smsWrong}`,
    `failed requests: ${Object.keys(report.failures).length === 0 ? 'none' : JSON.stringify(report.failures)}`,
    `thresholds: heap-floor slope > ${THRESHOLDS.heapSlopeMbPerMin} MB/min AND last/first floor > ${THRESHOLDS.heapRatio}x; queue last-third max > ${THRESHOLDS.queueGrowthFactor}x first-third max + ${THRESHOLDS.queueGrowthSlack}; anything lost`,
  );
  return lines.join('\n');
}
