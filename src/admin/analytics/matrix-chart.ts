import { escapeXml } from './charts.js';

/**
 * A from → to heat table as SVG: zones a device moved between, venues that
 * share visitors. Plain data in, an SVG string out; every text is escaped.
 */
export interface MatrixChartInput {
  title: string;
  description?: string;
  /** Row labels (the "from" side). */
  rows: readonly string[];
  /** Column labels (the "to" side). */
  columns: readonly string[];
  /** values[row][column]; null draws an empty cell (a venue with itself, no data). */
  values: readonly (readonly (number | null)[])[];
  formatValue?: (value: number) => string;
  /** The value drawn darkest; the data's maximum by default. */
  max?: number;
  /** Printed above the columns and before the rows, e.g. "To" and "From". */
  axes?: { rows: string; columns: string };
}

const WIDTH = 720;
const LABEL_W = 170;
const HEADER_H = 48;
const CELL_H = 40;
const MAX_CELL_W = 140;
const LABEL_CHARS = 22;
/** Lightest and darkest fill: even the darkest keeps the ink text above 4.5:1, so one text colour reads on every cell. */
const LIGHT = [244, 248, 252] as const;
const DARK = [91, 155, 213] as const;
const INK = '#1d2430';

const fmt = (n: number): string => String(Number(n.toFixed(1)));
const plain = (value: number): string => String(Number(value.toFixed(2)));

/** Long names are cut with an ellipsis; the data table next to the chart has them in full. */
export function shortLabel(text: string, max = LABEL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The fill of a cell: LIGHT at 0, DARK at max (and above), linear in between. */
export function cellFill(value: number, max: number): string {
  const share = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  const channel = (i: 0 | 1 | 2): string =>
    Math.round(LIGHT[i] + (DARK[i] - LIGHT[i]) * share)
      .toString(16)
      .padStart(2, '0');
  return `#${channel(0)}${channel(1)}${channel(2)}`;
}

function headers(input: MatrixChartInput, cellW: number): string {
  const parts: string[] = [];
  if (input.axes) {
    parts.push(`<text x="${String(LABEL_W + 4)}" y="16" font-size="12" font-weight="700" fill="${INK}">${escapeXml(input.axes.columns)} →</text>`);
    parts.push(`<text x="4" y="${String(HEADER_H - 10)}" font-size="12" font-weight="700" fill="${INK}">${escapeXml(input.axes.rows)} ↓</text>`);
  }
  input.columns.forEach((label, c) => {
    const x = LABEL_W + cellW * (c + 0.5);
    parts.push(`<text x="${fmt(x)}" y="${String(HEADER_H - 10)}" text-anchor="middle" font-size="12" fill="${INK}">${escapeXml(shortLabel(label, Math.max(6, Math.floor(cellW / 7))))}</text>`);
  });
  return parts.join('');
}

function row(input: MatrixChartInput, r: number, cellW: number, max: number): string {
  const y = HEADER_H + r * CELL_H;
  const format = input.formatValue ?? plain;
  const label = `<text x="${String(LABEL_W - 8)}" y="${fmt(y + CELL_H / 2 + 4)}" text-anchor="end" font-size="12" fill="${INK}">${escapeXml(shortLabel(input.rows[r] ?? ''))}</text>`;
  const cells = input.columns.map((_, c) => {
    const value = input.values[r]?.[c] ?? null;
    const x = LABEL_W + c * cellW;
    const box = `x="${fmt(x + 1)}" y="${fmt(y + 1)}" width="${fmt(cellW - 2)}" height="${String(CELL_H - 2)}"`;
    if (value === null) {
      return `<rect class="cell empty" ${box} fill="#ffffff" stroke="#d5dbe3"/><text x="${fmt(x + cellW / 2)}" y="${fmt(y + CELL_H / 2 + 4)}" text-anchor="middle" font-size="13" fill="#566173">—</text>`;
    }
    return (
      `<rect class="cell" ${box} fill="${cellFill(value, max)}" stroke="#d5dbe3"/>` +
      `<text x="${fmt(x + cellW / 2)}" y="${fmt(y + CELL_H / 2 + 4)}" text-anchor="middle" font-size="13" fill="${INK}">${escapeXml(format(value))}</text>`
    );
  });
  return `<g class="row">${label}${cells.join('')}</g>`;
}

/** A grid with one row per `rows` label and one column per `columns` label, each cell shaded by its value. */
export function matrixChart(input: MatrixChartInput): string {
  const numbers = input.values.flatMap((r) => r.filter((v): v is number => v !== null));
  const max = input.max ?? Math.max(0, ...numbers);
  const cellW = input.columns.length ? Math.min(MAX_CELL_W, (WIDTH - LABEL_W) / input.columns.length) : MAX_CELL_W;
  const height = HEADER_H + Math.max(1, input.rows.length) * CELL_H + 8;
  const desc = input.description ? `<desc>${escapeXml(input.description)}</desc>` : '';
  const rows = input.rows.map((_, r) => row(input, r, cellW, max)).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart matrix" viewBox="0 0 ${String(WIDTH)} ${String(height)}" role="img" aria-label="${escapeXml(input.title)}">` +
    `<title>${escapeXml(input.title)}</title>${desc}${headers(input, cellW)}${rows}</svg>`
  );
}
