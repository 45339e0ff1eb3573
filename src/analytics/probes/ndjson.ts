import { pushJsonRecord } from './json.js';
import { isBlank, LineParser } from './lines.js';
import type { ParseContext, ProbeRecord } from './record.js';

/** One JSON object per line; blank lines are allowed. */
export class NdjsonParser extends LineParser {
  constructor(private readonly ctx: ParseContext) {
    super();
  }

  protected line(text: string, line: number, out: ProbeRecord[]): void {
    if (isBlank(text)) return;
    pushJsonRecord(text, line, this.ctx, out);
  }
}
