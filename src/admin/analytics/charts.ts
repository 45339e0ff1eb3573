/**
 * Server-rendered SVG charts for the admin dashboards: plain data in, an SVG
 * string out, so pages work without JavaScript. Every text is escaped here,
 * because the pages insert the result unescaped.
 */

export interface LineSeries {
  name: string;
  /** One value per label; null leaves a gap (e.g. a capture rate when nobody came by). */
  values: readonly (number | null)[];
}

export interface LineChartInput {
  title: string;
  description?: string;
  labels: readonly string[];
  series: readonly LineSeries[];
  /** Top of the y axis; the data's rounded-up maximum by default. */
  yMax?: number;
  formatY?: (value: number) => string;
}

export interface Bar {
  label: string;
  value: number;
}

export interface BarChartInput {
  title: string;
  description?: string;
  bars: readonly Bar[];
  formatValue?: (value: number) => string;
}

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { top: 16, right: 16, bottom: 48, left: 56 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
/** Dark enough for 4.5:1 on white; the dash pattern tells series apart without colour. */
const SERIES_STYLES = [
  { stroke: '#0b5cad', dash: '' },
  { stroke: '#a63f00', dash: '6 4' },
  { stroke: '#2f6b1f', dash: '2 3' },
];
const MAX_X_TICKS = 6;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** 1, 2 or 5 times a power of ten, at least `value` (and at least 1): readable axis tops. */
export function niceMax(value: number): number {
  if (!Number.isFinite(value) || value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value) ?? 10;
  return step * power;
}

const fmt = (n: number): string => String(Number(n.toFixed(1)));
const plain = (value: number): string => String(Number(value.toFixed(2)));

function open(title: string, description: string | undefined): string {
  const desc = description ? `<desc>${escapeXml(description)}</desc>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${String(WIDTH)} ${String(HEIGHT)}" role="img" aria-label="${escapeXml(title)}">` +
    `<title>${escapeXml(title)}</title>${desc}`
  );
}

function yAxis(yMax: number, format: (value: number) => string): string {
  const parts: string[] = [];
  for (const share of [0, 0.5, 1]) {
    const y = PAD.top + PLOT_H * (1 - share);
    parts.push(`<line class="grid" x1="${String(PAD.left)}" x2="${String(WIDTH - PAD.right)}" y1="${fmt(y)}" y2="${fmt(y)}" stroke="#d5dbe3"/>`);
    parts.push(`<text x="${String(PAD.left - 6)}" y="${fmt(y + 4)}" text-anchor="end" font-size="12" fill="#1d2430">${escapeXml(format(yMax * share))}</text>`);
  }
  return parts.join('');
}

/** Indexes of the labels to print under the x axis: at most MAX_X_TICKS, spread evenly. */
export function tickIndexes(count: number, max = MAX_X_TICKS): number[] {
  if (count <= 0) return [];
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  const step = (count - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => Math.round(i * step));
}

function xAt(index: number, count: number): number {
  return count <= 1 ? PAD.left + PLOT_W / 2 : PAD.left + (PLOT_W * index) / (count - 1);
}

function yAt(value: number, yMax: number): number {
  return PAD.top + PLOT_H * (1 - Math.min(value, yMax) / yMax);
}

function xLabels(labels: readonly string[], at: (index: number) => number): string {
  return tickIndexes(labels.length)
    .map((i) => `<text x="${fmt(at(i))}" y="${String(HEIGHT - PAD.bottom + 18)}" text-anchor="middle" font-size="12" fill="#1d2430">${escapeXml(labels[i] ?? '')}</text>`)
    .join('');
}

/** Runs of consecutive non-null values, as point lists. */
function segments(values: readonly (number | null)[], count: number, yMax: number): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  values.forEach((value, i) => {
    if (value === null) {
      if (run.length) runs.push(run);
      run = [];
      return;
    }
    run.push([xAt(i, count), yAt(value, yMax)]);
  });
  if (run.length) runs.push(run);
  return runs;
}

function seriesPath(series: LineSeries, index: number, count: number, yMax: number): string {
  const style = SERIES_STYLES[index % SERIES_STYLES.length] ?? { stroke: '#0b5cad', dash: '' };
  const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
  const shapes = segments(series.values, count, yMax).map((run) => {
    if (run.length === 1) return `<circle cx="${fmt(run[0]?.[0] ?? 0)}" cy="${fmt(run[0]?.[1] ?? 0)}" r="3" fill="${style.stroke}"/>`;
    const points = run.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ');
    return `<polyline fill="none" stroke="${style.stroke}" stroke-width="2"${dash} points="${points}"/>`;
  });
  return `<g class="series" data-series="${escapeXml(series.name)}">${shapes.join('')}</g>`;
}

function legend(series: readonly LineSeries[]): string {
  if (series.length < 2) return '';
  const items = series.map((s, i) => {
    const style = SERIES_STYLES[i % SERIES_STYLES.length] ?? { stroke: '#0b5cad', dash: '' };
    const x = PAD.left + i * 180;
    const y = HEIGHT - 12;
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    return (
      `<line x1="${String(x)}" x2="${String(x + 28)}" y1="${String(y - 4)}" y2="${String(y - 4)}" stroke="${style.stroke}" stroke-width="3"${dash}/>` +
      `<text x="${String(x + 34)}" y="${String(y)}" font-size="12" fill="#1d2430">${escapeXml(s.name)}</text>`
    );
  });
  return `<g class="legend">${items.join('')}</g>`;
}

/** A line chart with one line per series (and a legend when there are several). */
export function lineChart(input: LineChartInput): string {
  const count = input.labels.length;
  const format = input.formatY ?? plain;
  const dataMax = Math.max(0, ...input.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const yMax = input.yMax ?? niceMax(dataMax);
  const lines = input.series.map((s, i) => seriesPath(s, i, count, yMax)).join('');
  return `${open(input.title, input.description)}${yAxis(yMax, format)}${xLabels(input.labels, (i) => xAt(i, count))}${lines}${legend(input.series)}</svg>`;
}

/** The bar chart's axis top: for whole counts an even one, so the middle gridline is a whole number too (never "0.5 visits"). */
export function barAxisMax(bars: readonly Bar[]): number {
  const top = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  return bars.every((b) => Number.isInteger(b.value)) && top % 2 === 1 ? top + 1 : top;
}

/** A vertical bar chart with the value printed above each bar. */
export function barChart(input: BarChartInput): string {
  const format = input.formatValue ?? plain;
  const count = input.bars.length;
  const yMax = barAxisMax(input.bars);
  const slot = count ? PLOT_W / count : PLOT_W;
  const barWidth = Math.min(80, slot * 0.6);
  const centre = (i: number): number => PAD.left + slot * (i + 0.5);
  const bars = input.bars.map((bar, i) => {
    const top = yAt(Math.max(0, bar.value), yMax);
    const x = centre(i) - barWidth / 2;
    return (
      `<rect x="${fmt(x)}" y="${fmt(top)}" width="${fmt(barWidth)}" height="${fmt(PAD.top + PLOT_H - top)}" fill="#0b5cad"/>` +
      `<text x="${fmt(centre(i))}" y="${fmt(top - 4)}" text-anchor="middle" font-size="12" fill="#1d2430">${escapeXml(format(bar.value))}</text>`
    );
  });
  const labels = input.bars
    .map((bar, i) => `<text x="${fmt(centre(i))}" y="${String(HEIGHT - PAD.bottom + 18)}" text-anchor="middle" font-size="12" fill="#1d2430">${escapeXml(bar.label)}</text>`)
    .join('');
  return `${open(input.title, input.description)}${yAxis(yMax, plain)}${labels}${bars.join('')}</svg>`;
}
