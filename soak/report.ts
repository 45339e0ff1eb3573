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
  /** Least-squares slope of heap used after warm-up, MB per minute. */
  heapSlopeMbPerMin: number;
  /** Mean heap in the last window over the first window after warm-up (windows of a minute, or a quarter of a short run). */
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
  /** ...and its last minute averages this much more than its first. Both must hold: a sawtooth GC is not a leak. */
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

export function memoryTrend(samples: Sample[], warmupSeconds: number): MemoryTrend {
  const heap = samples.filter((s) => s.t >= warmupSeconds && Number.isFinite(s.heapMb));
  const span = (heap.at(-1)?.t ?? 0) - (heap[0]?.t ?? 0);
  const windowSeconds = Math.max(1, Math.min(60, span / 4));
  const t0 = heap[0]?.t ?? 0;
  const tEnd = heap.at(-1)?.t ?? 0;
  const first = heap.filter((s) => s.t <= t0 + windowSeconds).map((s) => s.heapMb);
  const last = heap.filter((s) => s.t >= tEnd - windowSeconds).map((s) => s.heapMb);
  const mx = mean(heap.map((s) => s.t));
  const my = mean(heap.map((s) => s.heapMb));
  const sxx = heap.reduce((a, s) => a + (s.t - mx) ** 2, 0);
  const sxy = heap.reduce((a, s) => a + (s.t - mx) * (s.heapMb - my), 0);
  return {
    heapSlopeMbPerMin: sxx > 0 ? (sxy / sxx) * 60 : 0,
    heapRatio: mean(last) / mean(first),
    heapFirstMb: mean(first),
    heapLastMb: mean(last),
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
    `memory: heap ${num(m.heapFirstMb)} -> ${num(m.heapLastMb)} MB (max ${num(m.heapMaxMb)}), slope ${num(m.heapSlopeMbPerMin, 2)} MB/min, last/first ${num(m.heapRatio, 2)} (windows ${num(m.windowSeconds, 0)} s); RSS max ${num(m.rssMaxMb)} MB`,
    `accepted: ${l.batchesAccepted} batches (${l.probesAccepted} probes), ${l.loginsCompleted} logins, ${l.eventsAccepted} events (${l.smsExpected} with SMS)`,
    `lost or doubled: batches ${l.batchesLost}, probes ${l.probesMismatch}, logins ${l.loginsLost}, decisions ${l.decisionsWrong}, webhooks ${l.webhooksWrong} (+${l.webhookDuplicates} duplicates), SMS ${l.smsWrong}`,
    `failed requests: ${Object.keys(report.failures).length === 0 ? 'none' : JSON.stringify(report.failures)}`,
    `thresholds: heap slope > ${THRESHOLDS.heapSlopeMbPerMin} MB/min AND last/first > ${THRESHOLDS.heapRatio}x; queue last-third max > ${THRESHOLDS.queueGrowthFactor}x first-third max + ${THRESHOLDS.queueGrowthSlack}; anything lost`,
  );
  return lines.join('\n');
}
