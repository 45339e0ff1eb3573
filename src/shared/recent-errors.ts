import type { Redis } from 'ioredis';

/**
 * The operations page's "recent errors": every process (web and workers)
 * pushes its error-level log lines onto one capped Redis list, so an owner
 * sees what went wrong without shell access to the log files. The lines come
 * from pino after redaction; on top of that, bodies and payloads are dropped,
 * anything shaped like a MAC address or phone number is masked and each entry
 * is capped, because this list is shown in a web page.
 */

export const RECENT_ERRORS_LIMIT = 200;
export const MAX_ENTRY_CHARS = 4096;
/** Lines logged before Redis is connected (start-up failures) are kept until it is. */
const PENDING_LIMIT = 50;
const MAX_TEXT = 500;
const MAX_STACK = 1500;
const MAX_EXTRAS = 12;

export const recentErrorsKey = (prefix: string): string => `${prefix}:ops:recent-errors`;

/** One entry as the errors page shows it. */
export interface RecentError {
  at: string;
  level: 'error' | 'fatal';
  component: string;
  message: string;
  code?: string;
  requestId?: string;
  jobId?: string;
  error?: { type?: string; message?: string; stack?: string };
}

type Json = Record<string, unknown>;

const MAC = /\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b/gi;
const PHONE = /\+\d[\d ]{7,16}\d/g;
/** Fields that may carry request bodies or job payloads: never stored. */
const DROPPED = new Set(['body', 'payload', 'data', 'headers', 'query', 'params']);
/** Fields kept as their own (small) objects; every other object is dropped. */
const STRUCTURED = new Set(['err', 'req', 'res']);

const scrub = (text: string, max: number): string => {
  const masked = text.replace(MAC, '[mac]').replace(PHONE, '[phone]');
  return masked.length > max ? `${masked.slice(0, max)}…` : masked;
};
const str = (value: unknown, max = MAX_TEXT): string | undefined => (typeof value === 'string' ? scrub(value, max) : typeof value === 'number' ? String(value) : undefined);
const obj = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const compact = (o: Json): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Top-level scalars other than the known ones (queue, endpointId, …): context worth keeping, capped in number and size. */
function extras(line: Json): Json {
  const kept: [string, unknown][] = [];
  for (const [key, value] of Object.entries(line)) {
    if (kept.length >= MAX_EXTRAS) break;
    if (DROPPED.has(key) || STRUCTURED.has(key) || key === 'msg' || key === 'time' || key === 'level') continue;
    if (typeof value === 'string') kept.push([key.slice(0, 40), scrub(value, 200)]);
    else if (typeof value === 'number' || typeof value === 'boolean') kept.push([key.slice(0, 40), value]);
  }
  return Object.fromEntries(kept);
}

/** The stored form of a pino line: its scalars, the error summary, the request line; never bodies. */
export function toStoredEntry(line: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const log = obj(parsed);
  if (!log) return undefined;
  const err = obj(log.err);
  const req = obj(log.req);
  const res = obj(log.res);
  const entry: Json = {
    ...extras(log),
    level: typeof log.level === 'number' ? log.level : 50,
    time: typeof log.time === 'number' ? log.time : Date.now(),
    msg: str(log.msg) ?? '',
    err: err && compact({ type: str(err.type, 100), message: str(err.message), code: str(err.code, 100), stack: str(err.stack, MAX_STACK) }),
    req: req && compact({ id: str(req.id, 100), method: str(req.method, 10), path: str(req.path, 300) }),
    res: res && compact({ statusCode: typeof res.statusCode === 'number' ? res.statusCode : undefined }),
  };
  let text = JSON.stringify(compact(entry));
  if (text.length > MAX_ENTRY_CHARS && err) {
    entry.err = compact({ ...obj(entry.err), stack: undefined });
    text = JSON.stringify(compact(entry));
  }
  if (text.length > MAX_ENTRY_CHARS) text = JSON.stringify(compact({ level: entry.level, time: entry.time, msg: entry.msg, err: entry.err, req: entry.req }));
  return text;
}

/** What a stored entry shows: where it came from is the request, the job or the process role. */
export function toRecentError(text: string): RecentError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const e = obj(parsed);
  if (!e) return undefined;
  const err = obj(e.err);
  const req = obj(e.req);
  const job = str(e.job) ?? str(e.queue);
  const component = str(e.component) ?? (req ? 'web' : job ? `worker: ${job}` : (str(e.role) ?? 'passby'));
  const message = str(e.msg) ?? '';
  return {
    at: new Date(typeof e.time === 'number' ? e.time : 0).toISOString(),
    level: typeof e.level === 'number' && e.level >= 60 ? 'fatal' : 'error',
    component,
    message: message === '' ? (str(err?.message) ?? '') : message,
    code: str(e.code) ?? str(err?.code),
    requestId: str(req?.id) ?? str(e.reqId),
    jobId: str(e.jobId),
    error: err && { type: str(err.type), message: str(err.message), stack: str(err.stack, MAX_STACK) },
  };
}

/** A pino destination (level ≥ error) that pushes onto the Redis list once attached. */
export interface RecentErrorsSink {
  write(line: string): boolean;
  /** Starts storing (and flushes what was logged before Redis was there). */
  attach(redis: Redis, prefix: string): void;
  /** Stops using the connection (before it closes). */
  detach(): void;
}

export function createRecentErrorsSink(limit = RECENT_ERRORS_LIMIT): RecentErrorsSink {
  let target: { redis: Redis; key: string } | undefined;
  const pending: string[] = [];

  const push = (entry: string): void => {
    if (!target) {
      if (pending.length < PENDING_LIMIT) pending.push(entry);
      return;
    }
    // Never log a failure here: it would come straight back to this sink. A lost entry is the price.
    target.redis
      .multi()
      .lpush(target.key, entry)
      .ltrim(target.key, 0, limit - 1)
      .exec()
      .catch(() => undefined);
  };

  return {
    write(line) {
      const entry = toStoredEntry(line);
      if (entry !== undefined) push(entry);
      return true;
    },
    attach(redis, prefix) {
      target = { redis, key: recentErrorsKey(prefix) };
      for (const entry of pending.splice(0)) push(entry);
    },
    detach() {
      target = undefined;
    },
  };
}

/** The newest entries first. */
export async function readRecentErrors(redis: Redis, prefix: string, limit = RECENT_ERRORS_LIMIT): Promise<RecentError[]> {
  const stored = await redis.lrange(recentErrorsKey(prefix), 0, limit - 1);
  return stored.map(toRecentError).filter((e): e is RecentError => e !== undefined);
}
