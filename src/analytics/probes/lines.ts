import type { ChunkParser, ProbeRecord } from './record.js';

/** Longest line held in memory; a longer one is reported and skipped, so memory stays bounded. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Splits the byte stream into lines (LF or CRLF; a UTF-8 BOM at the start is dropped) and hands each
 * complete line, decoded, to `line` with its 1-based number. Only whole lines are decoded, so a
 * character split between chunks is never damaged.
 */
export abstract class LineParser implements ChunkParser {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;
  private lineNo = 0;

  protected abstract line(text: string, line: number, out: ProbeRecord[]): void;

  /** After the last line; for parsers with something still open (a quoted CSV field). */
  protected finish(_out: ProbeRecord[]): void {}

  /** A line over MAX_LINE_BYTES. */
  protected overlong(line: number, out: ProbeRecord[]): void {
    out.push({ ok: false, error: `line is longer than ${MAX_LINE_BYTES} bytes`, line });
  }

  push(chunk: Buffer, out: ProbeRecord[]): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      if (this.carryBytes > 0 || this.skipping) this.completeCarried(chunk.subarray(start, newline), out);
      else this.emit(chunk, start, newline, out);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  end(out: ProbeRecord[]): void {
    if (this.carryBytes > 0 || this.skipping) this.completeCarried(Buffer.alloc(0), out);
    this.finish(out);
  }

  private keep(rest: Buffer): void {
    if (this.skipping) return;
    if (this.carryBytes + rest.length > MAX_LINE_BYTES) {
      this.skipping = true;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    // A copy: holding a slice would keep the whole (large) chunk alive.
    this.carry.push(Buffer.from(rest));
    this.carryBytes += rest.length;
  }

  private completeCarried(tail: Buffer, out: ProbeRecord[]): void {
    if (this.skipping || this.carryBytes + tail.length > MAX_LINE_BYTES) {
      this.skipping = false;
      this.carry = [];
      this.carryBytes = 0;
      this.lineNo += 1;
      this.overlong(this.lineNo, out);
      return;
    }
    const whole = Buffer.concat([...this.carry, tail]);
    this.carry = [];
    this.carryBytes = 0;
    this.emit(whole, 0, whole.length, out);
  }

  private emit(buffer: Buffer, start: number, end: number, out: ProbeRecord[]): void {
    this.lineNo += 1;
    if (end - start > MAX_LINE_BYTES) {
      this.overlong(this.lineNo, out);
      return;
    }
    const stop = end > start && buffer[end - 1] === 13 ? end - 1 : end;
    let text = buffer.toString('utf8', start, stop);
    if (this.lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.line(text, this.lineNo, out);
  }
}

/** True for an empty or whitespace-only line (skipped by every text format). */
export function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  return (first === 32 || first === 9 || first === 13) && text.trim() === '';
}
