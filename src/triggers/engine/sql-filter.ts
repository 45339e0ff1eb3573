import { decodeCursor } from './cursor.js';

/** Builds a parameterised WHERE clause for the log listings (values always as parameters). */
export class SqlFilter {
  readonly params: unknown[];
  private readonly clauses: string[];

  constructor(orgId: string) {
    this.params = [orgId];
    this.clauses = ['org_id = $1'];
  }

  /** `sql` holds one "?" for the value; skipped when the value is undefined. */
  add(sql: string, value: unknown): this {
    if (value === undefined) return this;
    this.params.push(value);
    this.clauses.push(sql.replace('?', `$${this.params.length}`));
    return this;
  }

  /** Rows after the cursor in (time DESC, id DESC) order. */
  after(timeColumn: string, cursor: string | undefined): this {
    if (cursor === undefined) return this;
    const { at, id } = decodeCursor(cursor);
    this.params.push(at, id);
    this.clauses.push(`(${timeColumn}, id) < ($${this.params.length - 1}, $${this.params.length})`);
    return this;
  }

  /** The WHERE clause, then ORDER BY and a LIMIT one beyond the page (to know whether more follow). */
  tail(timeColumn: string, limit: number): string {
    this.params.push(limit + 1);
    return `WHERE ${this.clauses.join(' AND ')} ORDER BY ${timeColumn} DESC, id DESC LIMIT $${this.params.length}`;
  }
}
