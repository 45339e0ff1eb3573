/**
 * A string-keyed map for per-key state of a stream, whose entries vanish once untouched for between
 * one and two `period`s: two generations, the older dropped whole at each period boundary (stream
 * time, aligned to multiples of the period so a file and a live stream age alike). No sweeps over
 * the entries, no per-entry deletes. Callers check an entry's own age where exact expiry matters.
 */
export class AgingMap<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  private generation = Number.NEGATIVE_INFINITY;

  constructor(private readonly period: number) {}

  /** Moves stream time on to `t`; true when that started a new generation. */
  advance(t: number): boolean {
    const generation = Math.floor(t / this.period);
    if (generation <= this.generation) return false;
    this.previous = generation === this.generation + 1 ? this.current : new Map<string, V>();
    this.current = new Map<string, V>();
    this.generation = generation;
    return true;
  }

  get(key: string): V | undefined {
    const value = this.current.get(key);
    if (value !== undefined) return value;
    const old = this.previous.get(key);
    if (old !== undefined) this.current.set(key, old);
    return old;
  }

  set(key: string, value: V): void {
    this.current.set(key, value);
  }

  /** Entries held (a key touched in both generations counts twice). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
