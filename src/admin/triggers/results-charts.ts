import { escapeXml, niceMax } from '../analytics/charts.js';

/**
 * A horizontal bar chart for category counts whose names are too long to sit
 * under vertical bars (suppression reasons, groups). Server-rendered SVG with
 * a title; every text escaped, because the page inserts the result unescaped.
 */
export interface HorizontalBar {
  label: string;
  value: number;
}

export interface HorizontalBarChartInput {
  title: string;
  description?: string;
  bars: readonly HorizontalBar[];
  formatValue?: (value: number) => string;
  /** Right end of the scale; the data's rounded-up maximum by default. */
  max?: number;
}

const WIDTH = 720;
const ROW = 30;
const LABEL_W = 230;
const VALUE_W = 70;
const PAD_Y = 8;
const BAR_W = WIDTH - LABEL_W - VALUE_W;
const INK = '#1d2430';
const BAR = '#0b5cad';

const fmt = (n: number): string => String(Number(n.toFixed(1)));

export function horizontalBarChart(input: HorizontalBarChartInput): string {
  const format = input.formatValue ?? ((v: number) => String(v));
  const max = input.max ?? niceMax(Math.max(0, ...input.bars.map((b) => b.value)));
  const height = PAD_Y * 2 + ROW * Math.max(1, input.bars.length);
  const desc = input.description ? `<desc>${escapeXml(input.description)}</desc>` : '';
  const rows = input.bars.map((bar, i) => {
    const y = PAD_Y + ROW * i;
    const width = max > 0 ? (BAR_W * Math.max(0, Math.min(bar.value, max))) / max : 0;
    return (
      `<text x="${String(LABEL_W - 8)}" y="${fmt(y + ROW / 2 + 4)}" text-anchor="end" font-size="13" fill="${INK}">${escapeXml(bar.label)}</text>` +
      `<rect x="${String(LABEL_W)}" y="${fmt(y + 5)}" width="${fmt(width)}" height="${String(ROW - 10)}" fill="${BAR}"/>` +
      `<text x="${fmt(LABEL_W + width + 6)}" y="${fmt(y + ROW / 2 + 4)}" font-size="13" fill="${INK}">${escapeXml(format(bar.value))}</text>`
    );
  });
  const axis = `<line x1="${String(LABEL_W)}" x2="${String(LABEL_W)}" y1="${String(PAD_Y)}" y2="${String(height - PAD_Y)}" stroke="#8a94a3"/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${String(WIDTH)} ${String(height)}" role="img" aria-label="${escapeXml(input.title)}">` +
    `<title>${escapeXml(input.title)}</title>${desc}${axis}${rows.join('')}</svg>`
  );
}
