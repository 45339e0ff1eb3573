import { AppError } from '../../shared/errors.js';
import { BinaryParser, MAX_PACKET_BYTES } from './binary.js';
import { LINKTYPE_IEEE802_11, LINKTYPE_RADIOTAP, probeFromPacket } from './frame.js';
import type { ParseContext, ProbeRecord } from './record.js';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** The four pcap magics as read little-endian: byte order and µs/ns resolution. */
export const PCAP_MAGICS: ReadonlyMap<number, { littleEndian: boolean; nanoseconds: boolean }> = new Map([
  [0xa1b2c3d4, { littleEndian: true, nanoseconds: false }],
  [0xd4c3b2a1, { littleEndian: false, nanoseconds: false }],
  [0xa1b23c4d, { littleEndian: true, nanoseconds: true }],
  [0x4d3cb2a1, { littleEndian: false, nanoseconds: true }],
]);

/** Classic libpcap files, either byte order, micro- or nanosecond timestamps. */
export class PcapParser extends BinaryParser {
  private littleEndian = true;
  private nanoseconds = false;
  private linkType = -1;
  private frameNumber = 0;

  constructor(private readonly ctx: ParseContext) {
    super('pcap');
    this.need = FILE_HEADER;
  }

  protected override needsMore(): boolean {
    return this.linkType < 0;
  }

  protected truncated(): AppError {
    const what = this.linkType < 0 ? 'file ends inside the pcap file header' : `packet record ${this.frameNumber + 1} is cut short`;
    return this.damaged(what, this.consumed);
  }

  protected parse(data: Buffer, base: number, out: ProbeRecord[]): number {
    let pos = 0;
    if (this.linkType < 0) {
      this.readFileHeader(data);
      pos = FILE_HEADER;
    }
    const le = this.littleEndian;
    const end = data.length;
    for (;;) {
      if (end - pos < RECORD_HEADER) {
        this.need = RECORD_HEADER;
        return pos;
      }
      const captured = le ? data.readUInt32LE(pos + 8) : data.readUInt32BE(pos + 8);
      if (captured > MAX_PACKET_BYTES) {
        throw this.damaged(`packet record ${this.frameNumber + 1} claims ${captured} bytes (at most ${MAX_PACKET_BYTES})`, base + pos);
      }
      if (end - pos < RECORD_HEADER + captured) {
        this.need = RECORD_HEADER + captured;
        return pos;
      }
      this.frameNumber += 1;
      const seconds = le ? data.readUInt32LE(pos) : data.readUInt32BE(pos);
      const fraction = le ? data.readUInt32LE(pos + 4) : data.readUInt32BE(pos + 4);
      // Microseconds: the numerator is an exact integer, so this is the double nearest the true time.
      const ts = this.nanoseconds ? seconds + fraction / 1e9 : (seconds * 1e6 + fraction) / 1e6;
      const result = probeFromPacket(data, pos + RECORD_HEADER, pos + RECORD_HEADER + captured, this.linkType, ts, this.ctx.sensor);
      if (result !== undefined) out.push(result.ok ? result : { ok: false, error: `frame ${this.frameNumber}: ${result.error}`, offset: base + pos });
      pos += RECORD_HEADER + captured;
    }
  }

  private readFileHeader(data: Buffer): void {
    const magic = PCAP_MAGICS.get(data.readUInt32LE(0));
    if (magic === undefined) throw this.damaged('not a pcap file header', 0);
    this.littleEndian = magic.littleEndian;
    this.nanoseconds = magic.nanoseconds;
    const major = this.littleEndian ? data.readUInt16LE(4) : data.readUInt16BE(4);
    if (major !== 2) throw this.damaged(`pcap version ${major} is not supported`, 4);
    // The upper bits of the link-type field carry FCS information; the radiotap flags say the same per packet.
    const linkType = (this.littleEndian ? data.readUInt32LE(20) : data.readUInt32BE(20)) & 0xffff;
    if (linkType !== LINKTYPE_RADIOTAP && linkType !== LINKTYPE_IEEE802_11) {
      throw new AppError('PROBES_FORMAT_UNKNOWN', `pcap link type ${linkType} holds no 802.11 frames: probe requests come in link type 127 (radiotap + 802.11)`, {
        format: 'pcap',
        linkType,
      });
    }
    this.linkType = linkType;
  }
}
