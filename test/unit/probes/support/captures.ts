/**
 * Writers for hand-built capture files: pcap in either byte order and resolution, pcapng with several
 * sections, interface options and every packet block type, and the radiotap + 802.11 frames to put in
 * them. Tests use them to reach the corners a real capture does not (and check them against tshark).
 */

export interface PcapPacket {
  seconds: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  fraction: number;
  data: Buffer;
}

export interface PcapOptions {
  littleEndian?: boolean;
  nanoseconds?: boolean;
  linkType?: number;
}

export function writePcap(packets: PcapPacket[], options: PcapOptions = {}): Buffer {
  const le = options.littleEndian ?? true;
  const header = Buffer.alloc(24);
  const u32 = (buf: Buffer, value: number, at: number): number => (le ? buf.writeUInt32LE(value, at) : buf.writeUInt32BE(value, at));
  const u16 = (buf: Buffer, value: number, at: number): number => (le ? buf.writeUInt16LE(value, at) : buf.writeUInt16BE(value, at));
  u32(header, options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, 65535, 16);
  u32(header, options.linkType ?? 127, 20);
  const records = packets.map((packet) => {
    const record = Buffer.alloc(16);
    u32(record, packet.seconds, 0);
    u32(record, packet.fraction, 4);
    u32(record, packet.data.length, 8);
    u32(record, packet.data.length, 12);
    return Buffer.concat([record, packet.data]);
  });
  return Buffer.concat([header, ...records]);
}

/** The packets of a pcap file (either byte order), to rewrite them in another form. */
export function readPcapPackets(file: Buffer): PcapPacket[] {
  const le = file.readUInt32LE(0) === 0xa1b2c3d4 || file.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const packets: PcapPacket[] = [];
  for (let pos = 24; pos < file.length; ) {
    const length = u32(pos + 8);
    packets.push({ seconds: u32(pos), fraction: u32(pos + 4), data: file.subarray(pos + 16, pos + 16 + length) });
    pos += 16 + length;
  }
  return packets;
}

export type PcapngBlock =
  | { kind: 'interface'; linkType?: number; snapLength?: number; tsresol?: number; tsoffset?: number }
  | { kind: 'enhanced'; interfaceId?: number; units: bigint; data: Buffer; origLength?: number }
  | { kind: 'obsolete'; interfaceId?: number; units: bigint; data: Buffer }
  | { kind: 'simple'; data: Buffer }
  | { kind: 'other'; type: number; body: Buffer };

export interface PcapngSection {
  littleEndian?: boolean;
  blocks: PcapngBlock[];
}

const pad4 = (buf: Buffer): Buffer => Buffer.concat([buf, Buffer.alloc((4 - (buf.length % 4)) % 4)]);

export function writePcapng(sections: PcapngSection[]): Buffer {
  return Buffer.concat(sections.flatMap((section) => sectionBlocks(section)));
}

function sectionBlocks(section: PcapngSection): Buffer[] {
  const le = section.littleEndian ?? true;
  const u32 = (value: number): Buffer => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(value);
    else b.writeUInt32BE(value);
    return b;
  };
  const u16 = (value: number): Buffer => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(value);
    else b.writeUInt16BE(value);
    return b;
  };
  const u64 = (value: bigint): Buffer => {
    const b = Buffer.alloc(8);
    if (le) b.writeBigInt64LE(value);
    else b.writeBigInt64BE(value);
    return b;
  };
  const block = (type: number, body: Buffer): Buffer => {
    const padded = pad4(body);
    return Buffer.concat([u32(type), u32(padded.length + 12), padded, u32(padded.length + 12)]);
  };
  const option = (code: number, value: Buffer): Buffer => Buffer.concat([u16(code), u16(value.length), pad4(value)]);
  const stamp = (units: bigint): Buffer => Buffer.concat([u32(Number(units >> 32n)), u32(Number(units & 0xffffffffn))]);
  const out = [block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(1), u16(0), u64(-1n)]))];
  for (const b of section.blocks) {
    if (b.kind === 'interface') {
      const options = [
        ...(b.tsresol === undefined ? [] : [option(9, Buffer.from([b.tsresol]))]),
        ...(b.tsoffset === undefined ? [] : [option(14, u64(BigInt(b.tsoffset)))]),
        ...(b.tsresol === undefined && b.tsoffset === undefined ? [] : [option(0, Buffer.alloc(0))]),
      ];
      out.push(block(1, Buffer.concat([u16(b.linkType ?? 127), u16(0), u32(b.snapLength ?? 0), ...options])));
    } else if (b.kind === 'enhanced') {
      out.push(block(6, Buffer.concat([u32(b.interfaceId ?? 0), stamp(b.units), u32(b.data.length), u32(b.origLength ?? b.data.length), pad4(b.data)])));
    } else if (b.kind === 'obsolete') {
      out.push(block(2, Buffer.concat([u16(b.interfaceId ?? 0), u16(0), stamp(b.units), u32(b.data.length), u32(b.data.length), pad4(b.data)])));
    } else if (b.kind === 'simple') {
      out.push(block(3, Buffer.concat([u32(b.data.length), pad4(b.data)])));
    } else {
      out.push(block(b.type, b.body));
    }
  }
  return out;
}

/** One radiotap field: its bit in the current namespace, natural alignment and little-endian bytes. */
export interface RadiotapField {
  bit: number;
  align: number;
  bytes: number[];
}

/** A presence word: its fields, and what the next word is (bit 29: a new radiotap namespace; bit 30: a vendor namespace). */
export interface PresenceWord {
  fields: RadiotapField[];
  /** Presence bits with no data here (a vendor namespace's own bits: its data is in the vendor header's skip data). */
  bits?: number;
  next?: 'radiotap' | 'vendor';
  /** With next: 'vendor': the vendor namespace header and the vendor data it skips. */
  vendor?: { oui: [number, number, number]; subNamespace: number; data: number[] };
}

/** A radiotap header laid out by the spec's rules (alignment counted from the header start). */
export function radiotap(words: PresenceWord[]): Buffer {
  const bytes: number[] = [];
  const at = (): number => 4 + 4 * words.length + bytes.length;
  const alignTo = (n: number): void => {
    while (at() % n !== 0) bytes.push(0);
  };
  const presence = words.map((word, w) => {
    let bits = word.bits ?? 0;
    for (const field of [...word.fields].sort((a, b) => a.bit - b.bit)) {
      bits |= 1 << field.bit;
      alignTo(field.align);
      bytes.push(...field.bytes);
    }
    if (word.next === 'radiotap') bits |= 1 << 29;
    if (word.next === 'vendor') {
      bits |= 1 << 30;
      alignTo(2);
      const v = word.vendor!;
      bytes.push(...v.oui, v.subNamespace, v.data.length & 0xff, v.data.length >> 8, ...v.data);
    }
    if (w < words.length - 1) bits |= 1 << 31;
    return bits >>> 0;
  });
  const header = Buffer.alloc(4 + 4 * words.length);
  header.writeUInt16LE(header.length + bytes.length, 2);
  presence.forEach((bits, w) => header.writeUInt32LE(bits, 4 + 4 * w));
  return Buffer.concat([header, Buffer.from(bytes)]);
}

const le16 = (value: number): number[] => [value & 0xff, value >> 8];
export const field = {
  tsft: (): RadiotapField => ({ bit: 0, align: 8, bytes: [1, 2, 3, 4, 5, 6, 7, 8] }),
  flags: (value: number): RadiotapField => ({ bit: 1, align: 1, bytes: [value] }),
  rate: (): RadiotapField => ({ bit: 2, align: 1, bytes: [2] }),
  channel: (mhz: number): RadiotapField => ({ bit: 3, align: 2, bytes: [...le16(mhz), ...le16(mhz > 3000 ? 0x0140 : 0x00a0)] }),
  dbmSignal: (dbm: number): RadiotapField => ({ bit: 5, align: 1, bytes: [dbm & 0xff] }),
  dbmNoise: (dbm: number): RadiotapField => ({ bit: 6, align: 1, bytes: [dbm & 0xff] }),
  lockQuality: (): RadiotapField => ({ bit: 7, align: 2, bytes: [9, 0] }),
  antenna: (index: number): RadiotapField => ({ bit: 11, align: 1, bytes: [index] }),
  dbSignal: (db: number): RadiotapField => ({ bit: 12, align: 1, bytes: [db] }),
  rxFlags: (): RadiotapField => ({ bit: 14, align: 2, bytes: [0, 0] }),
  xchannel: (mhz: number, channel: number): RadiotapField => ({ bit: 18, align: 4, bytes: [0x40, 0x01, 0, 0, ...le16(mhz), channel, 20] }),
  mcs: (): RadiotapField => ({ bit: 19, align: 1, bytes: [0x07, 0x00, 0x07] }),
  ampdu: (): RadiotapField => ({ bit: 20, align: 4, bytes: [1, 0, 0, 0, 0, 0, 0, 0] }),
  vht: (): RadiotapField => ({ bit: 21, align: 2, bytes: [0x44, 0, 0, 0, 0x12, 0, 0, 0, 0, 0, 0, 0] }),
  timestamp: (): RadiotapField => ({ bit: 22, align: 8, bytes: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0] }),
};

export interface ProbeRequestOptions {
  sa: string;
  seq: number;
  ies: Buffer;
  /** Frame control byte 0 (0x40: probe request, 0x80: beacon). */
  subtype?: number;
  /** Order flag: an HT Control field follows the header. */
  htc?: boolean;
}

/** An 802.11 management frame (probe request unless `subtype` says otherwise). */
export function dot11Frame(options: ProbeRequestOptions): Buffer {
  const header = Buffer.alloc(24 + (options.htc ? 4 : 0));
  header[0] = options.subtype ?? 0x40;
  header[1] = options.htc ? 0x80 : 0;
  Buffer.from('ffffffffffff', 'hex').copy(header, 4);
  Buffer.from(options.sa.replaceAll(':', ''), 'hex').copy(header, 10);
  Buffer.from('ffffffffffff', 'hex').copy(header, 16);
  header.writeUInt16LE((options.seq << 4) | 0, 22);
  return Buffer.concat([header, options.ies]);
}

/** Tagged elements from [id, bytes] pairs. */
export function ies(elements: [number, number[] | string][]): Buffer {
  return Buffer.concat(
    elements.map(([id, value]) => {
      const data = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
      return Buffer.concat([Buffer.from([id, data.length]), data]);
    }),
  );
}
