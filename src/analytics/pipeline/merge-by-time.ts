/** A source of time-stamped items in batches (a reader's chunks), each batch in time order within the source. */
export type BatchSource<T> = AsyncIterator<T[]>;

interface Head<T> {
  source: BatchSource<T>;
  batch: T[];
  at: number;
  /** Set once the source is exhausted or failed (`onError` chose to stop it). */
  done: boolean;
}

/**
 * Merges several time-ordered sources into one time-ordered stream of batches (k-way merge on
 * `timeOf`; ties go to the earlier source). Memory: one batch per source. A source that throws is
 * handed to `onError`: it returns normally to drop that source and go on, or rethrows to stop.
 */
export async function* mergeByTime<T>(
  sources: readonly BatchSource<T>[],
  timeOf: (item: T) => number,
  onError: (error: unknown, source: number) => void = (error) => {
    throw error;
  },
  batchSize = 4096,
): AsyncGenerator<T[]> {
  const heads: Head<T>[] = sources.map((source) => ({ source, batch: [], at: 0, done: false }));
  const refill = async (head: Head<T>, index: number): Promise<void> => {
    while (!head.done && head.at >= head.batch.length) {
      try {
        const next = await head.source.next();
        if (next.done === true) head.done = true;
        else {
          head.batch = next.value;
          head.at = 0;
        }
      } catch (error) {
        head.done = true;
        onError(error, index);
      }
    }
  };
  for (const [index, head] of heads.entries()) await refill(head, index);
  let out: T[] = [];
  for (;;) {
    let best = -1;
    let bestTime = Number.POSITIVE_INFINITY;
    let next: T | undefined;
    for (const [i, head] of heads.entries()) {
      const item = head.batch[head.at];
      if (head.at < head.batch.length && item !== undefined) {
        const time = timeOf(item);
        if (best < 0 || time < bestTime) {
          best = i;
          bestTime = time;
          next = item;
        }
      }
    }
    const head = heads[best];
    if (head === undefined || next === undefined) break;
    out.push(next);
    head.at += 1;
    if (out.length >= batchSize) {
      yield out;
      out = [];
    }
    if (head.at >= head.batch.length) await refill(head, best);
  }
  if (out.length > 0) yield out;
}
