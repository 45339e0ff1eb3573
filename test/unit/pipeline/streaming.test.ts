import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeObservations } from '../../../src/analytics/pipeline/batch.js';
import { mergeByTime } from '../../../src/analytics/pipeline/merge-by-time.js';
import type { Observation } from '../../../src/analytics/pipeline/observation.js';
import type { PipelineOptionsInput } from '../../../src/analytics/pipeline/options.js';
import { createPipeline, type PipelineOutput } from '../../../src/analytics/pipeline/pipeline.js';
import { AppError } from '../../../src/shared/errors.js';
import { obs, T0 } from './factories.js';
import { prng, syntheticArray } from './synthetic.js';

/** Pushes in random chunk sizes, draining between chunks, and concatenates what came out. */
function streamed(input: readonly Observation[], options: PipelineOptionsInput, seed: number): PipelineOutput {
  const random = prng(seed);
  const pipeline = createPipeline(options);
  const all: PipelineOutput = { rows: [], sensorRows: [], stageRows: [], visits: [], thresholds: [], staticKeys: [] };
  const collect = (out: PipelineOutput): void => {
    for (const key of Object.keys(all) as (keyof PipelineOutput)[]) (all[key] as unknown[]).push(...out[key]);
  };
  for (let i = 0; i < input.length; ) {
    const n = 1 + Math.floor(random() * 3000);
    for (const o of input.slice(i, i + n)) pipeline.push(o);
    i += n;
    collect(pipeline.drain());
  }
  pipeline.flush();
  collect(pipeline.drain());
  return all;
}

const sortVisits = (out: PipelineOutput): PipelineOutput => ({
  ...out,
  visits: [...out.visits].sort((a, b) => a.start - b.start || a.device.localeCompare(b.device)),
});

describe('streaming composition', () => {
  // About 3.4 hours: long enough for the default static window.
  const input = syntheticArray(40_000, { seed: 5, population: 15, staticDevices: 2 });

  for (const [name, options] of [
    ['defaults', {}],
    ['live (no static lookahead), with stages', { static: { lookaheadSeconds: 0 }, stages: true }],
    ['short windows, quantile threshold', { signal: { method: 'quantile', bucketSeconds: 600, windowBuckets: 3 }, static: { windowSeconds: 1800, minWindowSeconds: 900, lookaheadSeconds: 900 }, stages: true }],
  ] as const) {
    it(`equals the batch result however the input is chunked (${name})`, () => {
      const batch = sortVisits(analyzeObservations(input, options));
      assert.ok(batch.rows.length > 20 && batch.visits.length > 100);
      for (const seed of [1, 2]) assert.deepEqual(sortVisits(streamed(input, options, seed)), batch);
    });
  }

  it('finds the two fixed devices of the synthetic stream and nothing else', () => {
    // People stay an hour at most; the generator's fixed devices probe all along.
    const span = new Map<string, [number, number]>();
    for (const o of input) {
      const seen = span.get(o.key);
      if (seen === undefined) span.set(o.key, [o.t, o.t]);
      else seen[1] = o.t;
    }
    const allAlong = [...span].filter(([, [from, to]]) => to - from > 3 * 3600).map(([key]) => key);
    assert.equal(allAlong.length, 2);
    assert.deepEqual(new Set(analyzeObservations(input).staticKeys), new Set(allAlong));
  });

  it('sorts input for the batch form, and counts a late observation at the latest time in a stream', () => {
    const ordered = [obs({ key: 'a', t: T0 + 10 }), obs({ key: 'b', t: T0 + 320 }), obs({ key: 'c', t: T0 + 330 })];
    const shuffled = [ordered[2]!, ordered[0]!, ordered[1]!];
    assert.deepEqual(analyzeObservations(shuffled), analyzeObservations(ordered));
    const pipeline = createPipeline({ static: { enabled: false } });
    for (const o of [ordered[0]!, ordered[1]!, obs({ key: 'late', t: T0 + 20 })]) pipeline.push(o);
    pipeline.flush();
    assert.deepEqual(
      pipeline.drain().rows.map((r) => r.devices),
      [1, 2],
    );
  });

  it('gives no rows for no input, and refuses bad options by name', () => {
    assert.deepEqual(analyzeObservations([]).rows, []);
    const pipeline = createPipeline();
    pipeline.flush();
    assert.deepEqual(pipeline.drain().rows, []);
    assert.throws(() => createPipeline({ linking: { beta: 0 } }), (e) => e instanceof AppError && e.code === 'VALIDATION_FAILED' && /linking\.beta/.test(e.message));
    assert.throws(() => createPipeline({ signal: { method: 'jenks' as never } }), /signal\.method/);
  });
});

describe('mergeByTime', () => {
  async function* batches<T>(...groups: T[][]): AsyncGenerator<T[]> {
    for (const group of groups) yield await Promise.resolve(group);
  }
  const drain = async <T>(source: AsyncIterable<T[]>): Promise<T[]> => {
    const out: T[] = [];
    for await (const batch of source) out.push(...batch);
    return out;
  };

  it('merges sorted sources by time, ties to the earlier source', async () => {
    const merged = await drain(mergeByTime([batches([1, 4], [9]), batches([2, 4, 5]), batches<number>([], [3, 10])], (x) => x, undefined, 2));
    assert.deepEqual(merged, [1, 2, 3, 4, 4, 5, 9, 10]);
  });

  it('hands a failing source to onError, which may drop it and go on', async () => {
    async function* failing(): AsyncGenerator<number[]> {
      yield await Promise.resolve([2]);
      throw new Error('damaged');
    }
    const failed: number[] = [];
    const merged = await drain(mergeByTime([batches([1, 3, 5]), failing()], (x) => x, (_, source) => failed.push(source)));
    assert.deepEqual(merged, [1, 2, 3, 5]);
    assert.deepEqual(failed, [1]);
    await assert.rejects(drain(mergeByTime([failing()], (x) => x)), /damaged/);
  });
});
