import { createHash, createHmac, randomUUID } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';

const fullPolicySchema = z.strictObject({
  /** Seconds before the same flow or the same phone may be sent another code. */
  resendCooldownSeconds: z.number().int().min(0).max(3600),
  perPhonePerDay: z.number().int().min(1).max(100),
  perDevicePerDay: z.number().int().min(1).max(100),
  /** Guests behind one venue NAT share an address: raise this where guests reach the portal through one public IP. */
  perIpPerDay: z.number().int().min(1).max(1_000_000),
  perVenuePerDay: z.number().int().min(1).max(1_000_000),
  /** 0 switches SMS off for the organisation. */
  perOrgPerMonth: z.number().int().min(0).max(100_000_000),
  /** Code checks per sent code, per flow (the verifiers enforce their own limit per code as well). */
  checksPerCode: z.number().int().min(1).max(10),
});

export type SmsPolicy = z.output<typeof fullPolicySchema>;

/** Per-organisation overrides: any subset of SmsPolicy; unknown keys are refused so typos do not pass silently. */
export const smsPolicySchema = fullPolicySchema.partial();

export type SmsPolicyOverrides = z.output<typeof smsPolicySchema>;

/** OpenWISP's field-tested values (30 s cooldown, 5 per number per day, 5 attempts) plus venue and budget caps. */
export const DEFAULT_SMS_POLICY: Readonly<SmsPolicy> = Object.freeze({
  resendCooldownSeconds: 30,
  perPhonePerDay: 5,
  perDevicePerDay: 5,
  // A cloud-hosted portal sees all of a venue's guests behind one NAT address: a low cap would lock out a busy venue.
  perIpPerDay: 300,
  perVenuePerDay: 1000,
  perOrgPerMonth: 2000,
  checksPerCode: 5,
});

/** Defaults with an organisation's overrides on top; keys explicitly set to undefined keep the default. */
export function resolveSmsPolicy(overrides: Partial<SmsPolicy> = {}): SmsPolicy {
  const policy = { ...DEFAULT_SMS_POLICY };
  for (const name of Object.keys(policy) as (keyof SmsPolicy)[]) {
    policy[name] = overrides[name] ?? policy[name];
  }
  return policy;
}

export interface SmsSendRequest {
  orgId: string;
  venueId: string;
  /** E.164 from normalisePhone(). */
  phone: string;
  /** The gateway-reported client MAC, already hashed by the caller. */
  deviceHash: string;
  /**
   * The address the request came from (IPv6 counted per /64). A cloud-hosted
   * portal sees a venue's guests behind one NAT address, so perIpPerDay mostly
   * catches scripted abuse from outside the venue.
   */
  ip: string;
  flowId: string;
}

/**
 * Keys: 1-2 cooldowns (flow, phone), 3-6 daily counters, 7 monthly budget,
 * 8 check counter, 9 the flow's reservation (ARGV[10]: keys 1-8, so a release
 * gives back exactly these counters even after midnight).
 */
const RESERVE = `
local cooldown = tonumber(ARGV[1])
if cooldown > 0 then
  local wait = math.max(redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2]))
  if wait > 0 then return {'cooldown', wait} end
end
for i = 3, 7 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i - 1]) then return {'cap', i} end
end
for i = 3, 6 do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[7])
end
redis.call('INCR', KEYS[7])
redis.call('PEXPIRE', KEYS[7], ARGV[8])
if cooldown > 0 then
  redis.call('SET', KEYS[1], '1', 'PX', cooldown)
  redis.call('SET', KEYS[2], '1', 'PX', cooldown)
end
redis.call('SET', KEYS[8], '0', 'PX', ARGV[9])
redis.call('SET', KEYS[9], ARGV[10], 'PX', ARGV[9])
return {'ok', 0}`;

/** Same key order as RESERVE. Only the reservation that was read is released, once: a second release is a no-op. */
const RELEASE = `
if redis.call('GET', KEYS[9]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[9])
for i = 3, 7 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
redis.call('DEL', KEYS[1], KEYS[2])
return 1`;

const CHECK = `
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then return -1 end
return tonumber(ARGV[1]) - n`;

/** How long a sent code's check counter and its reservation live: longer than any code stays valid. */
const CODE_WINDOW_MS = 60 * 60 * 1000;
/** Counters outlive their period a little, so a slow clock on one server cannot start a fresh one early. */
const PERIOD_GRACE_MS = 60 * 60 * 1000;

const CAPS = [
  { reason: 'phone_daily', message: 'This number has had too many codes today; try again tomorrow' },
  { reason: 'device_daily', message: 'This device has asked for too many codes today; try again tomorrow' },
  { reason: 'ip_daily', message: 'Too many codes were requested from this network today; try again tomorrow' },
  { reason: 'venue_daily', message: 'Sign-in by SMS is busy at this venue today; ask staff for help' },
] as const;

/**
 * SMS abuse limits (SMS pumping, code guessing) in Redis. Every check and its
 * count happen in one Lua script, so concurrent requests cannot overshoot a
 * cap. Days and months are UTC calendar periods taken from the injected clock.
 *
 * Phone numbers, IPs, devices and flows appear in key names only as SHA-256
 * (HMAC-SHA-256 when `hashKey` is given: phone numbers are enumerable, so only
 * a keyed hash keeps them out of reach of someone reading Redis). All keys
 * carry TTLs. On Redis Cluster the prefix must be a hash tag such as {passby}.
 */
export class SmsLimits {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock,
    private readonly options: { hashKey?: string | Buffer } = {},
  ) {}

  /**
   * Call before asking the provider to send; if the provider fails, call releaseSend.
   * `policy` is the organisation's overrides; anything missing takes DEFAULT_SMS_POLICY.
   * @throws AppError SMS_LIMIT_REACHED (details.reason, details.retryAfterSeconds)
   *   or SMS_BUDGET_EXHAUSTED when the organisation's monthly budget is spent.
   */
  async reserveSend(request: SmsSendRequest, policy: Partial<SmsPolicy> = {}): Promise<void> {
    const rules = resolveSmsPolicy(policy);
    const now = this.clock.now().getTime();
    const period = utcPeriods(now);
    const base = `${this.prefix}:portal:sms`;
    const phone = this.hash('phone', request.phone);
    const counted = [
      `${base}:cooldown:flow:${this.hash('flow', request.flowId)}`,
      `${base}:cooldown:phone:${phone}`,
      `${base}:day:${period.day}:phone:${phone}`,
      `${base}:day:${period.day}:device:${this.hash('device', request.deviceHash)}`,
      `${base}:day:${period.day}:ip:${this.hash('ip', ipBucket(request.ip))}`,
      `${base}:day:${period.day}:venue:${request.venueId}`,
      `${base}:month:${period.month}:org:${request.orgId}`,
      this.flowKey('checks', request.flowId),
    ];
    const caps = [rules.perPhonePerDay, rules.perDevicePerDay, rules.perIpPerDay, rules.perVenuePerDay, rules.perOrgPerMonth];
    const [outcome, value] = (await this.redis.eval(
      RESERVE,
      counted.length + 1,
      ...counted,
      this.flowKey('reservation', request.flowId),
      rules.resendCooldownSeconds * 1000,
      ...caps,
      period.dayEndMs - now + PERIOD_GRACE_MS,
      period.monthEndMs - now + PERIOD_GRACE_MS,
      CODE_WINDOW_MS,
      JSON.stringify({ id: randomUUID(), keys: counted }),
    )) as [string, number];
    if (outcome === 'ok') return;
    if (outcome === 'cooldown') {
      const retryAfterSeconds = Math.ceil(value / 1000);
      throw new AppError('SMS_LIMIT_REACHED', `Wait ${retryAfterSeconds} seconds before asking for another code`, {
        reason: 'cooldown',
        retryAfterSeconds,
      });
    }
    const cap = CAPS[value - 3];
    if (cap === undefined) {
      throw new AppError('SMS_BUDGET_EXHAUSTED', undefined, {
        reason: 'org_monthly',
        retryAfterSeconds: Math.ceil((period.monthEndMs - now) / 1000),
      });
    }
    throw new AppError('SMS_LIMIT_REACHED', cap.message, {
      reason: cap.reason,
      retryAfterSeconds: Math.ceil((period.dayEndMs - now) / 1000),
    });
  }

  /**
   * Gives back the flow's last reservation when its SMS never left (provider
   * error): counters go down and the cooldowns are lifted, so the guest is not
   * punished for our outage. Safe to call twice. Returns false when there was
   * nothing (left) to release.
   */
  async releaseSend(request: Pick<SmsSendRequest, 'flowId'>): Promise<boolean> {
    const reservationKey = this.flowKey('reservation', request.flowId);
    const reservation = await this.redis.get(reservationKey);
    if (reservation === null) return false;
    const { keys } = JSON.parse(reservation) as { keys: string[] };
    const released = await this.redis.eval(RELEASE, keys.length + 1, ...keys, reservationKey, reservation);
    return released === 1;
  }

  /**
   * Counts one code check in the flow and returns how many are left after it.
   * Past the limit it throws instead of returning 0, so a caller that forgets
   * to look at the number still cannot go on guessing. A new reserveSend
   * starts the count again (and is itself capped).
   * @throws AppError RATE_LIMITED (details.reason = 'too_many_checks')
   */
  async recordCheck(flowId: string, policy: Partial<SmsPolicy> = {}): Promise<number> {
    const max = policy.checksPerCode ?? DEFAULT_SMS_POLICY.checksPerCode;
    const left = (await this.redis.eval(CHECK, 1, this.flowKey('checks', flowId), max, CODE_WINDOW_MS)) as number;
    if (left < 0) {
      throw new AppError('RATE_LIMITED', 'Too many wrong codes; ask for a new code', { reason: 'too_many_checks' });
    }
    return left;
  }

  private flowKey(kind: 'checks' | 'reservation', flowId: string): string {
    return `${this.prefix}:portal:sms:${kind}:${this.hash('flow', flowId)}`;
  }
  private hash(kind: string, value: string): string {
    const text = `${kind}:${value}`;
    const hasher = this.options.hashKey === undefined ? createHash('sha256') : createHmac('sha256', this.options.hashKey);
    return hasher.update(text).digest('hex');
  }
}

function utcPeriods(nowMs: number): { day: string; month: string; dayEndMs: number; monthEndMs: number } {
  const now = new Date(nowMs);
  const [y, m, d] = [now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()];
  const month = `${y}${String(m + 1).padStart(2, '0')}`;
  return {
    day: `${month}${String(d).padStart(2, '0')}`,
    month,
    dayEndMs: Date.UTC(y, m, d + 1),
    monthEndMs: Date.UTC(y, m + 1, 1),
  };
}

/**
 * The unit an IP cap counts. One IPv6 subscriber gets a whole /64, so counting
 * single IPv6 addresses would let one attacker rotate through billions; IPv4
 * (also IPv4-mapped IPv6) counts per address.
 */
export function ipBucket(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  let canonical: string;
  try {
    // Turns a dotted IPv4 tail into hex groups; fails for zone ids (fe80::1%eth0), which stay as they are.
    canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
  const [head = '', tail] = canonical.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => g.padStart(4, '0')).join(':')}::/64`;
}
