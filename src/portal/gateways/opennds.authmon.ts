/**
 * openNDS 9.10 level 3 "authmon": the gateway pulls authorisations from the FAS.
 *
 * Protocol as the installed /usr/lib/opennds/authmon.sh and post-request.php
 * implement it: every `nat_traversal_poll_interval` seconds (default 10) PHP
 * POSTs `application/x-www-form-urlencoded` fields `auth_get`, `gatewayhash`
 * and `payload` to the FAS URL itself (`https://<fasremotefqdn|fasremoteip>:<fasport><faspath>`),
 * user agent `openNDS(authmon;NDS:<version>;)`. `payload` is always base64,
 * even the word `none`. One poll is two POSTs, both with `auth_get=view`:
 * 1. payload `none`: the FAS answers `*` then space-separated entries, each the
 *    rawurlencoded line `<rhid> <minutes> <up kb/s> <down kb/s> <up kB> <down kB> <custom b64>`;
 *    authmon reads at most 1024 characters after `* `, url-decodes each entry
 *    with printf and runs `eval ndsctl auth <entry>`;
 * 2. payload `* rhid1 rhid2` (just `*` when none succeeded): the rhids
 *    ndsctl authenticated; the FAS forgets them and answers `ack`.
 * `clear` comes once at start-up (entries held from before are stale), and
 * libopennds posts `deauthed` (a deauth log line) and `custom`, both answered `ack`.
 * `list` (answer the list and forget it without an ack) is documented but never sent by 9.10.
 * There is no way for the FAS to ask for a deauth in 9.10.
 * `gatewayhash` is sha256 hex of the gateway name as openNDS url-encodes it:
 * a public value, not a secret; nothing in these requests is authenticated.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { AppError } from '../../shared/errors.js';
import { validate } from '../../shared/validate.js';
import type { SessionLimits } from './access-point.js';

export type AuthmonAction = 'clear' | 'view' | 'list' | 'deauthed' | 'custom';

export interface AuthmonRequest {
  action: AuthmonAction;
  gatewayhash: string;
  /** base64-decoded `payload`. */
  payload: string;
}

export interface AuthmonEntry {
  rhid: string;
  limits: SessionLimits;
  /** Free text handed to the gateway's BinAuth script and shown by `ndsctl json`; sent base64-encoded. */
  custom?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** authmon.sh keeps `${authlist:2:1024}`: entries past that would arrive cut in half. */
const MAX_LIST_CHARS = 1024;

const formSchema = z.object({
  auth_get: z.enum(['clear', 'view', 'list', 'deauthed', 'custom']),
  gatewayhash: z.string().regex(HEX64, 'expected 64 lower-case hex'),
  payload: z.string().max(8192).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64').default(''),
});

/** Validates the authmon form body; throws VALIDATION_FAILED. */
export function parseAuthmonForm(body: unknown): AuthmonRequest {
  const form = validate(formSchema, body);
  return { action: form.auth_get, gatewayhash: form.gatewayhash, payload: Buffer.from(form.payload, 'base64').toString('utf8') };
}

/** openNDS's uh_urlencode: keeps alphanumerics and `-_.~`, everything else (per UTF-8 byte) as lower-case %xx. */
export function ndsUrlencode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * What openNDS sends as `gatewayhash`: sha256 hex of its url-encoded gateway name.
 * Mind `enable_serial_number_suffix` (on by default): openNDS then names itself
 * `<GatewayName> Node:<gateway mac without colons> ` (trailing space included).
 */
export function gatewayHash(gatewayName: string): string {
  return createHash('sha256').update(ndsUrlencode(gatewayName), 'utf8').digest('hex');
}

export function gatewayHashMatches(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** PHP rawurlencode, as the reference FAS encodes entries (authmon decodes `%XX` with printf). */
function rawUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const count = (value: number | undefined): number => (value === undefined || !Number.isFinite(value) || value < 0 ? 0 : Math.floor(value));

/**
 * One `ndsctl auth` argument line. Numbers are whole and non-negative: the line is
 * run through `eval` on the gateway, so nothing but hex, digits and base64 may appear.
 * 0 means "no limit" for rates and quotas (ndsctl then ignores the gateway's global
 * value) and "the gateway's sessiontimeout" for the session.
 */
export function formatAuthEntry(entry: AuthmonEntry): string {
  if (!HEX64.test(entry.rhid)) throw new AppError('INTERNAL', 'authmon entry rhid must be 64 lower-case hex');
  const { limits } = entry;
  // Round a short session up: 0 would hand the client the gateway's default session instead.
  const minutes = limits.sessionMinutes > 0 ? Math.ceil(limits.sessionMinutes) : 0;
  const numbers = [minutes, limits.uploadKbps, limits.downloadKbps, limits.uploadQuotaKb, limits.downloadQuotaKb].map(count);
  return [entry.rhid, ...numbers, Buffer.from(entry.custom ?? 'na', 'utf8').toString('base64')].join(' ');
}

/** The answer to a `view`: `*` and as many whole entries as authmon will read; the rest wait for the next poll. */
export function formatAuthList(entries: readonly AuthmonEntry[]): { body: string; included: string[] } {
  let body = '*';
  const included: string[] = [];
  for (const entry of entries) {
    const encoded = rawUrlEncode(formatAuthEntry(entry));
    if (body.length + 1 + encoded.length - 2 > MAX_LIST_CHARS) break;
    body += ` ${encoded}`;
    included.push(entry.rhid);
  }
  return { body, included };
}

/** The rhids in an ack payload (`* rhid1 rhid2`); undefined for `none`, which asks for the list instead. */
export function parseAckPayload(payload: string): string[] | undefined {
  if (payload.trim() === 'none') return undefined;
  return [...new Set(payload.split(/\s+/).filter((token) => HEX64.test(token)))];
}

const storedEntrySchema = z.object({
  rhid: z.string().regex(HEX64),
  limits: z.object({
    sessionMinutes: z.number().nonnegative(),
    uploadKbps: z.number().nonnegative().optional(),
    downloadKbps: z.number().nonnegative().optional(),
    uploadQuotaKb: z.number().nonnegative().optional(),
    downloadQuotaKb: z.number().nonnegative().optional(),
  }),
  custom: z.string().max(180).optional(),
});

function storedEntry(json: string | null): AuthmonEntry | undefined {
  if (json === null) return undefined;
  try {
    const parsed = storedEntrySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// Adds to the pending set (scored by Redis's own clock in microseconds, built as a string
// because Lua would print a number that long in exponent form, so the oldest go first) and
// only ever lengthens the set's TTL: a short-lived entry must not expire older ones.
const ENQUEUE = `
local t = redis.call('TIME')
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('ZADD', KEYS[1], t[1] .. string.format('%06d', t[2]), ARGV[1])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[5]) end
return 1`;

/** How long a gateway hash learnt from a landing stays the expected one. */
const GATEWAY_HASH_TTL = 30 * 24 * 3600;
/** isAuthorised stays true this long when the session itself has no end. */
const UNLIMITED_SESSION_TTL = 24 * 3600;

/**
 * Pending authorisations per gateway, in Redis under `${prefix}:authmon:{gatewayId}:`
 * (the braces keep one gateway's keys in one cluster slot). Pending entries expire on
 * their own; acked rhids are remembered for the session length.
 */
export class AuthmonQueue {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Queues an authorisation; `gatewayHash` (from the landing) becomes the hash the next polls must carry. */
  async enqueue(gatewayId: string, entry: AuthmonEntry & { gatewayHash?: string }, ttlSeconds: number): Promise<void> {
    const { gatewayHash: hash, ...rest } = entry;
    const stored = validate(storedEntrySchema, rest, 'authmon entry');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new AppError('INTERNAL', 'authmon ttl must be a whole number of seconds');
    if (hash !== undefined && !HEX64.test(hash)) throw new AppError('INTERNAL', 'gateway hash must be 64 lower-case hex');
    const keys = [this.key(gatewayId, 'pending'), this.key(gatewayId, `entry:${stored.rhid}`), this.key(gatewayId, 'gatewayhash')];
    await this.redis.eval(ENQUEUE, keys.length, ...keys, stored.rhid, JSON.stringify(stored), ttlSeconds, hash ?? '', GATEWAY_HASH_TTL);
  }

  /** Unexpired entries, oldest first; expired ones are dropped from the set on the way. */
  async pending(gatewayId: string): Promise<AuthmonEntry[]> {
    const rhids = await this.redis.zrange(this.key(gatewayId, 'pending'), 0, -1);
    if (rhids.length === 0) return [];
    const raw = await this.redis.mget(rhids.map((rhid) => this.key(gatewayId, `entry:${rhid}`)));
    const entries: AuthmonEntry[] = [];
    const expired: string[] = [];
    raw.forEach((json, i) => {
      const entry = storedEntry(json);
      if (entry) entries.push(entry);
      else expired.push(rhids[i] ?? '');
    });
    if (expired.length > 0) await this.redis.zrem(this.key(gatewayId, 'pending'), ...expired);
    return entries;
  }

  /** Marks acked rhids authorised (only those still pending: an ack cannot invent one) and returns them. */
  async acknowledge(gatewayId: string, rhids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(rhids)].filter((rhid) => HEX64.test(rhid));
    if (wanted.length === 0) return [];
    const raw = await this.redis.mget(wanted.map((rhid) => this.key(gatewayId, `entry:${rhid}`)));
    const tx = this.redis.multi().zrem(this.key(gatewayId, 'pending'), ...wanted);
    const done: string[] = [];
    raw.forEach((json, i) => {
      const rhid = wanted[i];
      const entry = storedEntry(json);
      if (!rhid || !entry) return;
      const minutes = entry.limits.sessionMinutes;
      const ttl = minutes > 0 ? Math.ceil(minutes * 60) : UNLIMITED_SESSION_TTL;
      tx.del(this.key(gatewayId, `entry:${rhid}`)).set(this.key(gatewayId, `authorised:${rhid}`), '1', 'EX', ttl);
      tx.sadd(this.key(gatewayId, 'authorised'), rhid).expire(this.key(gatewayId, 'authorised'), Math.max(ttl, UNLIMITED_SESSION_TTL));
      done.push(rhid);
    });
    await tx.exec();
    return done;
  }

  async isAuthorised(gatewayId: string, rhid: string): Promise<boolean> {
    if (!HEX64.test(rhid)) return false;
    return (await this.redis.exists(this.key(gatewayId, `authorised:${rhid}`))) === 1;
  }

  /** Forgets everything pending and authorised for the gateway (it restarted: its client list is gone). */
  async clear(gatewayId: string): Promise<void> {
    const [pending, authorised] = await Promise.all([
      this.redis.zrange(this.key(gatewayId, 'pending'), 0, -1),
      this.redis.smembers(this.key(gatewayId, 'authorised')),
    ]);
    const keys = [
      this.key(gatewayId, 'pending'),
      this.key(gatewayId, 'authorised'),
      ...pending.map((rhid) => this.key(gatewayId, `entry:${rhid}`)),
      ...authorised.map((rhid) => this.key(gatewayId, `authorised:${rhid}`)),
    ];
    await this.redis.del(...keys);
  }

  /** The gateway hash learnt from the last level 3 landing, if any. */
  async expectedGatewayHash(gatewayId: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(gatewayId, 'gatewayhash'))) ?? undefined;
  }

  /** The text/plain answer to one authmon POST (the hash already checked). */
  async answer(gatewayId: string, request: AuthmonRequest): Promise<string> {
    switch (request.action) {
      case 'clear':
        await this.clear(gatewayId);
        return '';
      case 'view': {
        const acked = parseAckPayload(request.payload);
        if (acked) {
          await this.acknowledge(gatewayId, acked);
          return 'ack';
        }
        return formatAuthList(await this.pending(gatewayId)).body;
      }
      case 'list': {
        // Handed over without an ack: forgotten, but not known to be authorised.
        const { body, included } = formatAuthList(await this.pending(gatewayId));
        if (included.length > 0) {
          await this.redis
            .multi()
            .zrem(this.key(gatewayId, 'pending'), ...included)
            .del(...included.map((rhid) => this.key(gatewayId, `entry:${rhid}`)))
            .exec();
        }
        return body;
      }
      case 'deauthed':
      case 'custom':
        return 'ack';
    }
  }

  private key(gatewayId: string, suffix: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(gatewayId)) throw new AppError('INTERNAL', 'gateway id has unexpected characters');
    return `${this.prefix}:authmon:{${gatewayId}}:${suffix}`;
  }
}
