import { AppError } from '../../shared/errors.js';
import type { ChunkParser, ProbeRecord } from './record.js';

/** Largest packet record we accept (Wireshark's own limit): a bigger length field means the file is damaged. */
export const MAX_PACKET_BYTES = 262_144;

/**
 * Base of the capture parsers: gathers chunks until `parse` can make progress, so a record split
 * between chunks is joined once (the pending chunks are concatenated only when `need` bytes are there)
 * and memory stays at about one record plus one chunk.
 */
export abstract class BinaryParser implements ChunkParser {
  /** Absolute offset of the first pending byte: what error messages and bad records give. */
  protected consumed = 0;
  /** Bytes `parse` needs, from the first pending byte, before it can go on. */
  protected need = 1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(readonly format: string) {}

  /** Parses whole records of `data` (which starts at absolute offset `base`), sets `need`, returns the bytes used. */
  protected abstract parse(data: Buffer, base: number, out: ProbeRecord[]): number;

  /** The error for input that ended with something unfinished (a cut record, a missing header). */
  protected abstract truncated(): AppError;

  push(chunk: Buffer, out: ProbeRecord[]): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.need) return;
    const data = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    const used = this.parse(data, this.consumed, out);
    this.consumed += used;
    const rest = data.subarray(used);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
  }

  end(_out: ProbeRecord[]): void {
    if (this.pendingBytes > 0 || this.needsMore()) throw this.truncated();
  }

  /** True when the input may not end here even with nothing pending (no file header yet). */
  protected needsMore(): boolean {
    return false;
  }

  protected damaged(what: string, offset: number): AppError {
    return new AppError('PROBES_UNREADABLE', `${what} at byte ${offset}`, { offset, format: this.format });
  }
}
