import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/shared/logger.js';
import { createRecentErrorsSink, MAX_ENTRY_CHARS, readRecentErrors, recentErrorsKey, toStoredEntry } from '../../src/shared/recent-errors.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { deletePrefix, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/triggers.js';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const stored = (line: Record<string, unknown>): Record<string, unknown> => JSON.parse(toStoredEntry(JSON.stringify(line)) ?? 'null') as Record<string, unknown>;

describe('recent errors: what is kept of an error line', () => {
  it('never keeps bodies, payloads or headers, only the request line and the error summary', () => {
    const entry = stored({
      level: 50,
      time: 1_700_000_000_000,
      msg: 'request failed',
      code: 'INTERNAL',
      body: 'password=hunter2',
      payload: { visitorId: 'v1' },
      req: { id: 'r-1', method: 'POST', path: '/api/v1/rules', body: { name: 'x' }, headers: { cookie: 'a' } },
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at here', detail: 'Key (phone)=(+447700900123)' },
    });
    assert.deepEqual(entry, {
      code: 'INTERNAL',
      level: 50,
      time: 1_700_000_000_000,
      msg: 'request failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at here' },
      req: { id: 'r-1', method: 'POST', path: '/api/v1/rules' },
    });
  });

  it('masks MAC addresses and phone numbers and caps the entry size', () => {
    const entry = stored({ level: 50, time: 1, msg: `device aa:bb:cc:dd:ee:ff of +44 7700 900123 ${'x'.repeat(10_000)}`, err: { message: 'y'.repeat(10_000), stack: 'z'.repeat(10_000) } });
    const text = JSON.stringify(entry);
    assert.ok(text.length <= MAX_ENTRY_CHARS, `${text.length} characters`);
    assert.match(String(entry.msg), /^device \[mac\] of \[phone\] x+…$/);
  });

  it('ignores lines that are not JSON objects', () => {
    assert.equal(toStoredEntry('not json'), undefined);
    assert.equal(toStoredEntry('[1,2]'), undefined);
  });
});

describe('recent errors: the Redis ring buffer fed by the logger', () => {
  const prefix = testPrefix();
  let redis: Redis;

  before(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    redis.disconnect();
    await deletePrefix(prefix);
  });

  it('keeps error lines (redacted) from before Redis was attached, skips lower levels, newest first', async () => {
    const sink = createRecentErrorsSink();
    const logger = createLogger('info', quiet, { errorSink: sink, bindings: { role: 'worker' } });
    logger.error({ jobId: 'job-7', job: 'trigger.deliver', err: new Error('CRM unreachable') }, 'delivery crashed');
    logger.warn('only a warning');
    logger.info('just information');
    sink.attach(redis, prefix);
    logger.child({ req: { id: 'req-9', method: 'GET', path: '/admin' } }).fatal({ code: 'INTERNAL', secret: { token: 'tok' } }, 'web died');

    const entries = await waitFor(async () => {
      const found = await readRecentErrors(redis, prefix);
      return found.length === 2 && found;
    }, 5_000, 'two entries');
    const [fatal, failed] = entries;
    assert.deepEqual(
      { ...fatal, at: undefined },
      { at: undefined, level: 'fatal', component: 'web', message: 'web died', code: 'INTERNAL', requestId: 'req-9', jobId: undefined, error: undefined },
    );
    assert.equal(failed?.component, 'worker: trigger.deliver');
    assert.equal(failed.jobId, 'job-7');
    assert.equal(failed.message, 'delivery crashed');
    assert.equal(failed.error?.message, 'CRM unreachable');
    assert.doesNotMatch(JSON.stringify(await redis.lrange(recentErrorsKey(prefix), 0, -1)), /tok/);
    sink.detach();
  });

  it('keeps only the newest entries up to the limit', async () => {
    const ringPrefix = `${prefix}-ring`;
    const sink = createRecentErrorsSink(3);
    sink.attach(redis, ringPrefix);
    const logger = createLogger('error', quiet, { errorSink: sink });
    for (let i = 1; i <= 5; i++) logger.error(`error ${i}`);
    const entries = await waitFor(async () => {
      const found = await readRecentErrors(redis, ringPrefix);
      return found[0]?.message === 'error 5' && found;
    }, 5_000, 'the last error');
    assert.deepEqual(
      entries.map((e) => e.message),
      ['error 5', 'error 4', 'error 3'],
    );
    assert.equal(entries[0]?.component, 'passby');
    sink.detach();
  });
});
