import { pushJsonRecord } from './json.js';
import { MAX_LINE_BYTES } from './lines.js';
import type { ChunkParser, ParseContext, ProbeRecord } from './record.js';

const enum State {
  BeforeArray,
  ExpectValue,
  InValue,
  AfterValue,
  Done,
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const NEWLINE = 10;
const isOpen = (b: number): boolean => b === 123 || b === 91;
const isClose = (b: number): boolean => b === 125 || b === 93;
const isSpace = (b: number): boolean => b === 32 || b === 10 || b === 13 || b === 9;

/**
 * A JSON array of probe objects, read element by element: a scanner finds where each element starts
 * and ends (strings, escapes and nesting), and only that element is held and parsed, so a file of
 * millions of probes never sits in memory. A broken element is reported with its line and the scan
 * goes on with the next one.
 */
export class JsonArrayParser implements ChunkParser {
  private state = State.BeforeArray;
  private line = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private oversize = false;
  private valueLine = 0;
  private trailingReported = false;

  constructor(private readonly ctx: ParseContext) {}

  push(chunk: Buffer, out: ProbeRecord[]): void {
    let valueStart = this.state === State.InValue ? 0 : -1;
    for (let i = 0; i < chunk.length; i += 1) {
      const b = chunk[i] ?? 0;
      if (b === NEWLINE) this.line += 1;
      if (this.state === State.InValue) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) this.inString = false;
          if (this.inString || this.depth > 0) continue;
          this.finishValue(chunk, valueStart, i + 1, out);
          continue;
        }
        if (b === QUOTE) this.inString = true;
        else if (isOpen(b)) this.depth += 1;
        else if (isClose(b) && this.depth > 0) {
          this.depth -= 1;
          if (this.depth === 0) this.finishValue(chunk, valueStart, i + 1, out);
        } else if (this.depth === 0 && (b === COMMA || isClose(b) || isSpace(b))) {
          // The end of a bare number or word: parse it, then read this byte as what follows it.
          this.finishValue(chunk, valueStart, i, out);
          if (!isSpace(b) && this.between(b, out)) valueStart = i;
        }
        continue;
      }
      if (isSpace(b)) continue;
      if (this.between(b, out)) valueStart = i;
    }
    if (this.state === State.InValue) this.hold(chunk.subarray(valueStart));
  }

  end(out: ProbeRecord[]): void {
    if (this.state === State.InValue) {
      out.push({ ok: false, error: 'the file ends inside this probe (the JSON array is cut short)', line: this.valueLine });
    } else if (this.state !== State.Done) {
      out.push({ ok: false, error: 'the JSON array is not closed with ]', line: this.line });
    }
  }

  /** A byte outside any element; true when it starts one. */
  private between(b: number, out: ProbeRecord[]): boolean {
    switch (this.state) {
      case State.BeforeArray:
        if (b === 91) this.state = State.ExpectValue;
        return false;
      case State.AfterValue:
        if (b === COMMA) this.state = State.ExpectValue;
        else if (b === 93) this.state = State.Done;
        else {
          out.push({ ok: false, error: 'expected , or ] between probes', line: this.line });
          return this.startValue(b);
        }
        return false;
      case State.ExpectValue:
        if (b === 93) {
          this.state = State.Done;
          return false;
        }
        if (b === COMMA) {
          out.push({ ok: false, error: 'empty element in the JSON array (two commas)', line: this.line });
          return false;
        }
        return this.startValue(b);
      case State.Done:
        if (!isSpace(b) && !this.trailingReported) {
          this.trailingReported = true;
          out.push({ ok: false, error: 'unexpected text after the end of the JSON array', line: this.line });
        }
        return false;
      case State.InValue:
        return false;
    }
  }

  private startValue(b: number): boolean {
    this.state = State.InValue;
    this.valueLine = this.line;
    this.depth = isOpen(b) ? 1 : 0;
    this.inString = b === QUOTE;
    this.escaped = false;
    return true;
  }

  private hold(rest: Buffer): void {
    if (this.oversize) return;
    if (this.partBytes + rest.length > MAX_LINE_BYTES) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(rest));
    this.partBytes += rest.length;
  }

  private finishValue(chunk: Buffer, start: number, end: number, out: ProbeRecord[]): void {
    this.state = State.AfterValue;
    const line = this.valueLine;
    if (this.oversize || this.partBytes + end - start > MAX_LINE_BYTES) {
      out.push({ ok: false, error: `probe is longer than ${MAX_LINE_BYTES} bytes`, line });
    } else {
      const bytes = this.parts.length === 0 ? chunk.subarray(start, end) : Buffer.concat([...this.parts, chunk.subarray(start, end)]);
      this.parseValue(bytes.toString('utf8'), line, out);
    }
    this.parts = [];
    this.partBytes = 0;
    this.oversize = false;
  }

  private parseValue(text: string, line: number, out: ProbeRecord[]): void {
    pushJsonRecord(text, line, this.ctx, out);
  }
}
