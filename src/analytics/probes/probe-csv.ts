import { numberCell, type CsvDialect, type CsvRows } from './csv.js';
import { validateProbe } from './fields.js';
import type { ParseContext, ProbeRecord } from './record.js';

const FIELDS = ['ts', 'sensor', 'mac', 'rssi', 'seq', 'ssid', 'channel', 'fp', 'ies'] as const;
type Field = (typeof FIELDS)[number];

/** Our own CSV: comma-separated, a header with the NDJSON field names in any order (ts, mac and rssi required); other columns are ignored. */
export const probeCsvDialect: CsvDialect = (names, separator, ctx) => {
  if (separator !== ',' || !names.includes('ts') || !names.includes('mac') || !names.includes('rssi')) return undefined;
  return new ProbeCsvRows(names, ctx);
};

class ProbeCsvRows implements CsvRows {
  readonly separator = ',';
  private readonly column: Record<Field, number>;

  constructor(
    private readonly names: string[],
    private readonly ctx: ParseContext,
  ) {
    this.column = Object.fromEntries(FIELDS.map((field) => [field, names.indexOf(field)])) as Record<Field, number>;
  }

  row(fields: string[], line: number, out: ProbeRecord[]): void {
    if (fields.length !== this.names.length) {
      out.push({ ok: false, error: `the row has ${fields.length} fields but the header names ${this.names.length}`, line });
      return;
    }
    const ts = this.cell(fields, 'ts')?.trim();
    const tsNumber = numberCell(ts);
    const result = validateProbe(
      {
        ts: typeof tsNumber === 'number' ? tsNumber : ts,
        sensor: this.cell(fields, 'sensor'),
        mac: this.cell(fields, 'mac')?.trim(),
        rssi: numberCell(this.cell(fields, 'rssi')),
        seq: numberCell(this.cell(fields, 'seq')),
        ssid: this.cell(fields, 'ssid'),
        channel: numberCell(this.cell(fields, 'channel')),
        fp: this.cell(fields, 'fp'),
        ies: this.cell(fields, 'ies')?.trim(),
      },
      this.ctx,
    );
    out.push(result.ok ? result : { ok: false, error: result.error, line });
  }

  private cell(fields: string[], field: Field): string | undefined {
    const at = this.column[field];
    return at < 0 ? undefined : fields[at];
  }
}
