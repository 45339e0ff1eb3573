import { channelOfFrequency } from './channel.js';
import { numberCell, type CsvDialect, type CsvRows } from './csv.js';
import { validateProbe, type FieldLabels } from './fields.js';
import { fingerprintOf, ouiFromNumber } from './fingerprint.js';
import type { ParseContext, ProbeRecord } from './record.js';

/** `[0, 1, 50]` -> [0, 1, 50]; undefined unless every item is an integer from 0 to `max`. */
export function parseNumberList(text: string, max: number): number[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return undefined;
  const inner = trimmed.slice(1, -1);
  if (inner.trim() === '') return [];
  const values = inner.split(',').map(Number);
  return values.every((v) => Number.isInteger(v) && v >= 0 && v <= max) ? values : undefined;
}

const columnsOf = (names: string[], wanted: readonly string[]): number[] | undefined => {
  const columns = wanted.map((name) => names.indexOf(name));
  return columns.includes(-1) ? undefined : columns;
};

const FRYZA = ['datetime', 'src', 'rssi', 'seq_num', 'ch_freq', 'ssid', 'dot11elt', 'oui'] as const;
const FRYZA_LABELS: FieldLabels = { ts: 'datetime', mac: 'src', seq: 'seq_num' };

/**
 * The `;` CSV of the Fryza lab dataset (`datetime;dst;src;...;dot11elt;oui;occupancy`): `datetime` is
 * local time without an offset (read in ReadOptions.timeZone), `ch_freq` MHz, `dot11elt` the IE id list
 * and `oui` the vendor OUIs in decimal, which together give `fp`.
 */
export const fryzaCsvDialect: CsvDialect = (names, separator, ctx) => {
  const columns = separator === ';' ? columnsOf(names, FRYZA) : undefined;
  return columns && new FryzaRows(columns, names.length, ctx);
};

class FryzaRows implements CsvRows {
  readonly separator = ';';

  constructor(
    private readonly columns: number[],
    private readonly width: number,
    private readonly ctx: ParseContext,
  ) {}

  row(fields: string[], line: number, out: ProbeRecord[]): void {
    if (fields.length !== this.width) {
      out.push({ ok: false, error: `the row has ${fields.length} fields but the header names ${this.width}`, line });
      return;
    }
    const [datetime, src, rssi, seq, frequency, ssid, ids, ouis] = this.columns.map((at) => fields[at] ?? '') as [string, string, string, string, string, string, string, string];
    const problems: string[] = [];
    const mhz = numberCell(frequency);
    const channel = typeof mhz === 'number' ? channelOfFrequency(mhz) : undefined;
    if (mhz !== undefined && channel === undefined) problems.push(`ch_freq must be a Wi-Fi channel frequency in MHz (got ${String(mhz)})`);
    const fp = labFingerprint(ids, ouis, problems);
    const raw = { ts: datetime.trim(), mac: src.trim(), rssi: numberCell(rssi), seq: numberCell(seq), ssid, channel, fp };
    const result = validateProbe(raw, this.ctx, FRYZA_LABELS, problems);
    out.push(result.ok ? result : { ok: false, error: result.error, line });
  }
}

function labFingerprint(ids: string, ouis: string, problems: string[]): string | undefined {
  if (ids.trim() === '') return undefined;
  const ieIds = parseNumberList(ids, 255);
  const vendorOuis = ouis.trim() === '' ? [] : parseNumberList(ouis, 0xffffff);
  if (ieIds === undefined) problems.push('dot11elt must be a list of IE ids like [0, 1, 50, 221]');
  if (vendorOuis === undefined) problems.push('oui must be a list of decimal OUIs like [5271450]');
  return ieIds && vendorOuis && fingerprintOf(ieIds, vendorOuis.map(ouiFromNumber));
}

const TAN_CHAN = ['timestamp', 'type', 'ch', 'seq', 'tx_addr', 'info_element'] as const;
const SENSOR_COLUMN = 'rssi@';

/**
 * The CSV of the Tan & Chan association dataset (`timestamp,type,radio_band,ch,seq,tx_addr,...,
 * info_element,rssi_vec_len,rssi@entrance,...`): millisecond timestamps, MACs without separators, IE
 * hex. Each `rssi@<sensor>` column with a value is one sensor's reception: one probe per sensor.
 * Rows of other frame types are skipped.
 */
export const tanChanCsvDialect: CsvDialect = (names, separator, ctx) => {
  const columns = separator === ',' ? columnsOf(names, TAN_CHAN) : undefined;
  const sensors = names.flatMap((name, at) => (name.startsWith(SENSOR_COLUMN) ? [{ name: name.slice(SENSOR_COLUMN.length), at }] : []));
  return columns && sensors.length > 0 ? new TanChanRows(columns, sensors, names.length, ctx) : undefined;
};

class TanChanRows implements CsvRows {
  readonly separator = ',';

  constructor(
    private readonly columns: number[],
    private readonly sensors: { name: string; at: number }[],
    private readonly width: number,
    private readonly ctx: ParseContext,
  ) {}

  row(fields: string[], line: number, out: ProbeRecord[]): void {
    if (fields.length !== this.width) {
      out.push({ ok: false, error: `the row has ${fields.length} fields but the header names ${this.width}`, line });
      return;
    }
    const [timestamp, type, channel, seq, mac, ies] = this.columns.map((at) => fields[at] ?? '') as [string, string, string, string, string, string];
    if (type.trim() !== 'PROBE_REQUEST') return;
    const ms = numberCell(timestamp);
    const ts = typeof ms === 'number' ? ms / 1000 : ms;
    let heard = false;
    for (const sensor of this.sensors) {
      const rssi = numberCell(fields[sensor.at]);
      // pandas writes `nan` for a sensor that did not hear the frame.
      if (rssi === undefined || (typeof rssi === 'string' && rssi.toLowerCase() === 'nan')) continue;
      heard = true;
      const raw = { ts, sensor: sensor.name, mac: mac.trim(), rssi, seq: numberCell(seq), channel: numberCell(channel), ies: ies.trim() };
      const result = validateProbe(raw, this.ctx, { ts: 'timestamp', mac: 'tx_addr', rssi: `rssi@${sensor.name}`, ies: 'info_element' });
      out.push(result.ok ? result : { ok: false, error: result.error, line });
    }
    if (!heard) out.push({ ok: false, error: 'no rssi@<sensor> column has a value', line });
  }
}
