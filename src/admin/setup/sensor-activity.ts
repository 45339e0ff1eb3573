import { escapeXml } from '../analytics/charts.js';

/** How a sensor is doing, from when its last batch arrived. */
export type SensorStatus = 'online' | 'stale' | 'never';

/** A healthy agent sends a batch at least every 30 s while phones are about; 5 minutes of silence is worth a look. */
export const ONLINE_WITHIN_MS = 5 * 60_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function statusOf(lastSeenAt: Date | null, now: Date): SensorStatus {
  if (lastSeenAt === null) return 'never';
  return now.getTime() - lastSeenAt.getTime() <= ONLINE_WITHIN_MS ? 'online' : 'stale';
}

/** "never", "just now", "3 min ago", "2 h ago", "5 days ago" (a clock ahead of ours counts as just now). */
export function lastSeenText(lastSeenAt: Date | null, now: Date): string {
  if (lastSeenAt === null) return 'never';
  const ago = now.getTime() - lastSeenAt.getTime();
  if (ago < MINUTE) return 'just now';
  if (ago < HOUR) return `${String(Math.floor(ago / MINUTE))} min ago`;
  if (ago < DAY) return `${String(Math.floor(ago / HOUR))} h ago`;
  const days = Math.floor(ago / DAY);
  return days === 1 ? '1 day ago' : `${String(days)} days ago`;
}

const WIDTH = 180;
const HEIGHT = 40;
const PAD = 3;
const fmt = (n: number): string => String(Number(n.toFixed(1)));

export interface Sparkline {
  svg: string;
  peak: number;
  latest: number;
  total: number;
}

/**
 * A per-minute sparkline, oldest minute on the left: small enough for a table
 * row, named for screen readers, with the numbers that matter returned for
 * the text next to it. Escapes its text, as the page inserts it unescaped.
 */
export function sparkline(title: string, counts: readonly number[]): Sparkline {
  const peak = Math.max(0, ...counts);
  const latest = counts.at(-1) ?? 0;
  const total = counts.reduce((sum, n) => sum + n, 0);
  const top = Math.max(peak, 1);
  const step = counts.length > 1 ? (WIDTH - 2 * PAD) / (counts.length - 1) : 0;
  const points = counts.map((n, i): [number, number] => [PAD + i * step, HEIGHT - PAD - ((HEIGHT - 2 * PAD) * n) / top]);
  const line = points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ');
  const base = String(HEIGHT - PAD);
  const area = points.length > 1 ? `<polygon points="${fmt(PAD)},${base} ${line} ${fmt(WIDTH - PAD)},${base}" fill="#0b5cad" fill-opacity="0.14"/>` : '';
  const [lastX = 0, lastY = 0] = points.at(-1) ?? [];
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="sd-spark" viewBox="0 0 ${String(WIDTH)} ${String(HEIGHT)}" width="${String(WIDTH)}" height="${String(HEIGHT)}" role="img" aria-label="${escapeXml(title)}">` +
    `<title>${escapeXml(title)}</title>` +
    `<line x1="${fmt(PAD)}" x2="${fmt(WIDTH - PAD)}" y1="${base}" y2="${base}" stroke="#8a94a3" stroke-width="1"/>` +
    area +
    (points.length > 1 ? `<polyline fill="none" stroke="#0b5cad" stroke-width="1.5" points="${line}"/>` : '') +
    `<circle cx="${fmt(lastX)}" cy="${fmt(lastY)}" r="2.5" fill="#0b5cad"/>` +
    `</svg>`;
  return { svg, peak, latest, total };
}
