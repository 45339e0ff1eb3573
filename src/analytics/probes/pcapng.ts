import type { AppError } from '../../shared/errors.js';
import { BinaryParser, MAX_PACKET_BYTES } from './binary.js';
import { LATEST_SECONDS } from './fields.js';
import { LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP, probeFromPacket } from './frame.js';
import type { ParseContext, ProbeRecord } from './record.js';

export const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
const INTERFACE_DESCRIPTION = 1;
const OBSOLETE_PACKET = 2;
const SIMPLE_PACKET = 3;
const ENHANCED_PACKET = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Blocks we read whole are packets and headers; a bigger length field means the file is damaged. */
const MAX_READ_BLOCK = MAX_PACKET_BYTES + 65_536;
const OPTION_TSRESOL = 9;
const OPTION_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second (if_tsresol; default microseconds). */
  unitsPerSecond: number;
  /** if_tsoffset, seconds added to every timestamp. */
  offsetSeconds: number;
}

const padded = (length: number): number => (length + 3) & ~3;

/**
 * Why a packet's time cannot be used: if_tsresol and if_tsoffset can put it anywhere in ±2^64 units,
 * and a time before 1970 or past year 5138 is damage that PostgreSQL would refuse (or misfile) later.
 */
function implausible(ts: number): string | undefined {
  if (ts >= 0 && ts < LATEST_SECONDS) return undefined;
  return `timestamp ${ts} s is not a time a capture was made (its interface's if_tsresol/if_tsoffset or the packet's stamp is damaged)`;
}

/**
 * pcapng: any number of sections (each with its own byte order and interfaces), interface descriptions
 * with if_tsresol/if_tsoffset, enhanced, simple and obsolete packet blocks. Other blocks are stepped
 * over by their length without being held in memory.
 */
export class PcapngParser extends BinaryParser {
  private littleEndian = true;
  private interfaces: Interface[] = [];
  private frameNumber = 0;
  private skipping = 0;
  private blockStart = 0;

  constructor(private readonly ctx: ParseContext) {
    super('pcapng');
    this.need = 12;
  }

  protected override needsMore(): boolean {
    return this.skipping > 0;
  }

  protected truncated(): AppError {
    return this.damaged('the last block is cut short', this.skipping > 0 ? this.blockStart : this.consumed);
  }

  protected parse(data: Buffer, base: number, out: ProbeRecord[]): number {
    let pos = Math.min(this.skipping, data.length);
    this.skipping -= pos;
    if (this.skipping > 0) {
      this.need = 1;
      return pos;
    }
    for (;;) {
      if (data.length - pos < 12) {
        this.need = 12;
        return pos;
      }
      this.blockStart = base + pos;
      const type = this.u32(data, pos);
      if (type === PCAPNG_SECTION_HEADER) this.startSection(data, pos);
      const total = this.u32(data, pos + 4);
      if (total < 12 || total % 4 !== 0) throw this.damaged(`block length ${total} is not valid`, base + pos);
      if (!this.isRead(type)) {
        if (data.length - pos >= total) pos += total;
        else {
          this.skipping = total - (data.length - pos);
          this.need = 1;
          return data.length;
        }
        continue;
      }
      if (total > MAX_READ_BLOCK) throw this.damaged(`block length ${total} is too large`, base + pos);
      if (data.length - pos < total) {
        this.need = total;
        return pos;
      }
      const trailer = this.u32(data, pos + total - 4);
      if (trailer !== total) throw this.damaged(`block length ${total} does not match its trailing copy ${trailer}`, base + pos);
      this.readBlock(type, data, pos + 8, pos + total - 4, out);
      pos += total;
    }
  }

  private isRead(type: number): boolean {
    return type === PCAPNG_SECTION_HEADER || type === INTERFACE_DESCRIPTION || type === ENHANCED_PACKET || type === SIMPLE_PACKET || type === OBSOLETE_PACKET;
  }

  private u32(data: Buffer, at: number): number {
    return this.littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at);
  }

  private u16(data: Buffer, at: number): number {
    return this.littleEndian ? data.readUInt16LE(at) : data.readUInt16BE(at);
  }

  /** The byte-order magic decides how everything in the section, the header's own length included, is read. */
  private startSection(data: Buffer, pos: number): void {
    const magic = data.readUInt32LE(pos + 8);
    if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (magic === 0x4d3c2b1a) this.littleEndian = false;
    else throw this.damaged('section header has no valid byte-order magic', this.blockStart);
    this.interfaces = [];
  }

  private readBlock(type: number, data: Buffer, body: number, end: number, out: ProbeRecord[]): void {
    if (type === PCAPNG_SECTION_HEADER) {
      if (end - body < 16) throw this.damaged('section header block is too short', this.blockStart);
      const major = this.u16(data, body + 4);
      if (major !== 1) throw this.damaged(`pcapng version ${major} is not supported`, this.blockStart);
    } else if (type === INTERFACE_DESCRIPTION) {
      this.interfaces.push(this.readInterface(data, body, end));
    } else {
      this.readPacket(type, data, body, end, out);
    }
  }

  private readInterface(data: Buffer, body: number, end: number): Interface {
    if (end - body < 8) throw this.damaged('interface description block is too short', this.blockStart);
    const description: Interface = { linkType: this.u16(data, body), snapLength: this.u32(data, body + 4), unitsPerSecond: 1e6, offsetSeconds: 0 };
    for (let p = body + 8; p + 4 <= end; ) {
      const code = this.u16(data, p);
      const length = this.u16(data, p + 2);
      if (code === 0) break;
      if (p + 4 + length > end) throw this.damaged(`interface description option ${code} overruns its block`, this.blockStart);
      if (code === OPTION_TSRESOL && length >= 1) description.unitsPerSecond = this.resolution(data.readUInt8(p + 4));
      if (code === OPTION_TSOFFSET && length === 8) {
        const high = this.littleEndian ? data.readInt32LE(p + 8) : data.readInt32BE(p + 4);
        const low = this.littleEndian ? data.readUInt32LE(p + 4) : data.readUInt32BE(p + 8);
        description.offsetSeconds = high * 4294967296 + low;
      }
      p += 4 + padded(length);
    }
    return description;
  }

  /** if_tsresol: 10^-n, or 2^-n when the top bit is set. */
  private resolution(value: number): number {
    const exponent = value & 0x7f;
    const units = value & 0x80 ? 2 ** exponent : 10 ** exponent;
    if (units > Number.MAX_SAFE_INTEGER) throw this.damaged(`timestamp resolution option ${value} is not supported`, this.blockStart);
    return units;
  }

  private readPacket(type: number, data: Buffer, body: number, end: number, out: ProbeRecord[]): void {
    this.frameNumber += 1;
    const simple = type === SIMPLE_PACKET;
    const headerLength = simple ? 4 : 20;
    if (end - body < headerLength) throw this.damaged('packet block is too short', this.blockStart);
    const interfaceId = simple ? 0 : type === OBSOLETE_PACKET ? this.u16(data, body) : this.u32(data, body);
    const description = this.interfaces[interfaceId];
    if (description === undefined) throw this.damaged(`packet block names interface ${interfaceId}, but its section describes ${this.interfaces.length}`, this.blockStart);
    const space = end - body - headerLength;
    let captured: number;
    if (simple) captured = Math.min(this.u32(data, body), space, description.snapLength || space);
    else {
      captured = this.u32(data, body + 12);
      if (captured > space) throw this.damaged(`packet block's captured length ${captured} overruns the block`, this.blockStart);
    }
    if (description.linkType !== LINKTYPE_RADIOTAP && description.linkType !== LINKTYPE_IEEE802_11) return;
    const ts = simple ? Number.NaN : this.timestamp(data, body + 4, description);
    const start = body + headerLength;
    const result = probeFromPacket(data, start, start + captured, description.linkType, ts, this.ctx.sensor);
    if (result === undefined) return;
    const error = !result.ok ? result.error : simple ? 'simple packet block carries no timestamp' : implausible(ts);
    out.push(error === undefined ? result : { ok: false, error: `frame ${this.frameNumber}: ${error}`, offset: this.blockStart });
  }

  private timestamp(data: Buffer, at: number, description: Interface): number {
    const high = this.u32(data, at);
    const low = this.u32(data, at + 4);
    const units = high * 4294967296 + low;
    const { unitsPerSecond, offsetSeconds } = description;
    if (units <= Number.MAX_SAFE_INTEGER) return units / unitsPerSecond + offsetSeconds;
    // Nanosecond stamps pass 2^53: split into whole seconds and the rest exactly.
    const big = (BigInt(high) << 32n) | BigInt(low);
    const per = BigInt(unitsPerSecond);
    return Number(big / per) + Number(big % per) / unitsPerSecond + offsetSeconds;
  }
}
