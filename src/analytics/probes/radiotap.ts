/**
 * Radiotap header (https://www.radiotap.org), the part of it a probe needs: the first dBm antenna
 * signal, the channel frequency, and whether an FCS trails the frame. Fields are laid out in bit order
 * across every presence word, each aligned to its natural size counted from the start of the header;
 * extended bitmaps continue a namespace, bit 29 starts a new radiotap namespace (per-antenna values),
 * bit 30 a vendor namespace whose data the header's skip length lets us step over.
 */
export interface Radiotap {
  /** Header length: the 802.11 frame starts this many bytes in. */
  length: number;
  /** First dBm antenna signal in the header, if any. */
  signal: number | undefined;
  /** MHz, from the Channel field, else from XChannel. */
  frequency: number | undefined;
  /** Flags 0x10: the frame ends with its 4-byte FCS. */
  fcsAtEnd: boolean;
  /** Flags 0x40: the FCS did not match, the bytes are damaged. */
  badFcs: boolean;
}

// Alignment and size of radiotap namespace fields 0..27 (bit 28 starts the TLV list, which ends the fixed fields).
const ALIGN = [8, 1, 1, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 4, 1, 4, 2, 8, 2, 2, 2, 1, 2];
const SIZE = [8, 1, 1, 4, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 8, 3, 8, 12, 12, 12, 12, 6, 1, 4];
const FLAGS = 1;
const CHANNEL = 3;
const DBM_SIGNAL = 5;
const XCHANNEL = 18;
const KNOWN_FIELDS = 28;
const RADIOTAP_NEXT = 1 << 29;
const VENDOR_NEXT = 1 << 30;
const FIELD_BITS = (1 << 29) - 1;

const align = (offset: number, to: number): number => (offset + to - 1) & ~(to - 1);

/** Parses the header at `start` (the packet start); a string says why it cannot be read. */
export function readRadiotap(bytes: Buffer, start: number, end: number): Radiotap | string {
  if (end - start < 8) return 'radiotap header is shorter than 8 bytes';
  if (bytes[start] !== 0) return `radiotap version ${bytes[start]} is not supported`;
  const length = bytes.readUInt16LE(start + 2);
  if (length < 8 || length > end - start) return `radiotap length ${length} does not fit the ${end - start}-byte packet`;
  let words = 1;
  while (bytes.readUInt32LE(start + 4 * words) >>> 31 === 1) {
    words += 1;
    if (4 + 4 * words > length) return 'radiotap presence bitmaps run past the header length';
  }
  const info: Radiotap = { length, signal: undefined, frequency: undefined, fcsAtEnd: false, badFcs: false };
  let offset = 4 + 4 * words;
  let radiotapNamespace = true;
  let wordInNamespace = 0;
  let xFrequency: number | undefined;
  for (let w = 0; w < words; w += 1) {
    const present = bytes.readUInt32LE(start + 4 + 4 * w);
    if (radiotapNamespace && (present & FIELD_BITS) !== 0) {
      // Past word 0 of a namespace every bit is unassigned: we cannot know its size, so nothing after it can be placed.
      if (wordInNamespace > 0) break;
      const next = readFields(bytes, start, length, present, offset, info);
      if (typeof next === 'string') return next;
      if (next.x !== undefined) xFrequency ??= next.x;
      if (next.stop) break;
      offset = next.offset;
    }
    if ((present & VENDOR_NEXT) !== 0) {
      offset = align(offset, 2);
      if (offset + 6 > length) return 'radiotap vendor namespace runs past the header length';
      offset += 6 + bytes.readUInt16LE(start + offset + 4);
      radiotapNamespace = false;
      wordInNamespace = 0;
    } else if ((present & RADIOTAP_NEXT) !== 0) {
      radiotapNamespace = true;
      wordInNamespace = 0;
    } else {
      wordInNamespace += 1;
    }
  }
  info.frequency ??= xFrequency;
  return info;
}

/** The fields of one radiotap-namespace word 0, from `offset`; records the ones we want into `info`. */
function readFields(bytes: Buffer, start: number, length: number, present: number, from: number, info: Radiotap): { offset: number; stop: boolean; x?: number } | string {
  let offset = from;
  let x: number | undefined;
  for (let bit = 0; bit < 29; bit += 1) {
    if ((present & (1 << bit)) === 0) continue;
    if (bit >= KNOWN_FIELDS) return { offset, stop: true, x };
    offset = align(offset, ALIGN[bit] ?? 1);
    const size = SIZE[bit] ?? 0;
    if (offset + size > length) return `radiotap field ${bit} runs past the header length`;
    const at = start + offset;
    if (bit === FLAGS) {
      const flags = bytes.readUInt8(at);
      info.fcsAtEnd ||= (flags & 0x10) !== 0;
      info.badFcs ||= (flags & 0x40) !== 0;
    } else if (bit === CHANNEL) info.frequency ??= bytes.readUInt16LE(at);
    else if (bit === DBM_SIGNAL) info.signal ??= bytes.readInt8(at);
    else if (bit === XCHANNEL) x = bytes.readUInt16LE(at + 4);
    offset += size;
  }
  return { offset, stop: false, x };
}
