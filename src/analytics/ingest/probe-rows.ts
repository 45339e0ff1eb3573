/**
 * Probe rows as PostgreSQL array literals, one per column, built while the
 * batch is prepared: `INSERT ... SELECT FROM unnest($n::type[], ...)` then
 * stores a whole batch in one statement, and building the text here is
 * cheaper than letting the driver serialise thousands of small values.
 */
export interface ProbeRow {
  /** Epoch seconds. */
  ts: number;
  rssi: number;
  seq: number | undefined;
  channel: number | undefined;
  randomised: boolean;
  known: boolean;
  deviceKey: Buffer;
  fpGroup: Buffer | undefined;
}

const bool = (value: boolean): string => (value ? 't' : 'f');
const intOrNull = (value: number | undefined): string => (value === undefined ? 'NULL' : String(value));
// Unquoted array elements take backslash escapes: `\\x00ff` reaches bytea as `\x00ff` (hex input).
const byteaOrNull = (value: Buffer | undefined): string => (value === undefined ? 'NULL' : `\\\\x${value.toString('hex')}`);
const literal = (items: string[]): string => `{${items.join(',')}}`;

export class ProbeRows {
  private readonly ts: string[] = [];
  /** Epoch seconds of the oldest row: late probes send the venue's rollup back to here. */
  earliest = Number.POSITIVE_INFINITY;
  private readonly rssi: string[] = [];
  private readonly seq: string[] = [];
  private readonly channel: string[] = [];
  private readonly randomised: string[] = [];
  private readonly known: string[] = [];
  private readonly deviceKey: string[] = [];
  private readonly fpGroup: string[] = [];

  get length(): number {
    return this.ts.length;
  }

  add(row: ProbeRow): void {
    this.ts.push(String(row.ts));
    if (row.ts < this.earliest) this.earliest = row.ts;
    this.rssi.push(String(row.rssi));
    this.seq.push(intOrNull(row.seq));
    this.channel.push(intOrNull(row.channel));
    this.randomised.push(bool(row.randomised));
    this.known.push(bool(row.known));
    this.deviceKey.push(byteaOrNull(row.deviceKey));
    this.fpGroup.push(byteaOrNull(row.fpGroup));
  }

  /** In the order of PROBE_INSERT's $3..$10. */
  params(): string[] {
    return [this.ts, this.rssi, this.seq, this.channel, this.randomised, this.known, this.deviceKey, this.fpGroup].map(literal);
  }
}

export const PROBE_INSERT = `INSERT INTO probes (ts, org_id, sensor_id, rssi, seq, channel, randomised, known, device_key, fp_group)
  SELECT to_timestamp(u.ts), $1, $2, u.rssi, u.seq, u.channel, u.randomised, u.known, u.device_key, u.fp_group
  FROM unnest($3::float8[], $4::int2[], $5::int2[], $6::int2[], $7::bool[], $8::bool[], $9::bytea[], $10::bytea[])
    AS u(ts, rssi, seq, channel, randomised, known, device_key, fp_group)`;
