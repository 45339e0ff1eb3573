import { PCAP_MAGICS } from './pcap.js';
import { PCAPNG_SECTION_HEADER } from './pcapng.js';

export type ProbeFormat = 'gzip' | 'pcap' | 'pcapng' | 'json-array' | 'ndjson' | 'csv';

/** How far into leading whitespace we look for the first character of a text file. */
const TEXT_SNIFF_LIMIT = 65_536;

const isSpace = (b: number): boolean => b === 32 || b === 10 || b === 13 || b === 9;

/**
 * The format of the data that starts with `head`, by content alone: gzip, pcap and pcapng by their
 * magic numbers, then text by its first non-blank character (`[` a JSON array, `{` NDJSON, else CSV,
 * whose header picks the dialect). Undefined when more bytes are needed to tell (`ended`: there are
 * no more); 'empty' for a file of nothing but whitespace.
 */
export function detectFormat(head: Buffer, ended: boolean): ProbeFormat | 'empty' | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 12 && !ended) return undefined;
  if (head.length >= 4) {
    if (PCAP_MAGICS.has(head.readUInt32LE(0))) return 'pcap';
    // The pcapng magic is "\n\r\r\n": only the byte-order magic after it tells it from text.
    if (head.readUInt32LE(0) === PCAPNG_SECTION_HEADER && head.length >= 12) {
      const order = head.readUInt32LE(8);
      if (order === 0x1a2b3c4d || order === 0x4d3c2b1a) return 'pcapng';
    }
  }
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && isSpace(head[i] ?? 0)) i += 1;
  if (i === head.length) return ended ? 'empty' : head.length > TEXT_SNIFF_LIMIT ? 'csv' : undefined;
  if (head[i] === 0x5b) return 'json-array';
  if (head[i] === 0x7b) return 'ndjson';
  return 'csv';
}
