import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';

/** Sign-in attempts allowed per window, per account (email) and per client address. */
export interface LoginLimitPolicy {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

/**
 * 5 tries per account follows OWASP's lockout advice; the IP cap is higher
 * because an office of staff may share one NAT address.
 */
export const DEFAULT_LOGIN_LIMITS: Readonly<LoginLimitPolicy> = Object.freeze({ perAccount: 5, perIp: 20, windowSeconds: 15 * 60 });

/** Counters with a time window. `hit` counts one attempt on every key, or on none when one is already full. */
export interface AttemptCounter {
  /** 0 when counted; otherwise milliseconds until the full key frees up (nothing counted). */
  hit(keys: { key: string; limit: number }[], windowMs: number): Promise<number>;
  /** Takes back one attempt (a success should not count against a shared address). */
  undo(key: string): Promise<void>;
  clear(key: string): Promise<void>;
}

/** One script, so concurrent guesses cannot all pass a check before any of them counts. */
const HIT = `
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i + 1]) then
    return math.max(redis.call('PTTL', KEYS[i]), 1)
  end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return 0`;

/** Shared by every web process: the limit holds however many processes an attacker's requests are spread over. */
export class RedisAttemptCounter implements AttemptCounter {
  constructor(private readonly redis: Redis) {}

  async hit(keys: { key: string; limit: number }[], windowMs: number): Promise<number> {
    const wait = await this.redis.eval(HIT, keys.length, ...keys.map((k) => k.key), windowMs, ...keys.map((k) => k.limit));
    return Number(wait);
  }
  async undo(key: string): Promise<void> {
    await this.redis.eval("if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end", 1, key);
  }
  async clear(key: string): Promise<void> {
    await this.redis.del(key);
  }
}

/** Per-process fallback for an app built without Redis: weaker (per process), but never no limit at all. */
export class MemoryAttemptCounter implements AttemptCounter {
  private readonly counts = new Map<string, { count: number; endsAt: number }>();
  constructor(private readonly clock: Clock) {}

  private live(key: string): { count: number; endsAt: number } | undefined {
    const entry = this.counts.get(key);
    if (entry && entry.endsAt <= this.clock.now().getTime()) this.counts.delete(key);
    return this.counts.get(key);
  }
  hit(keys: { key: string; limit: number }[], windowMs: number): Promise<number> {
    const now = this.clock.now().getTime();
    for (const { key, limit } of keys) {
      const entry = this.live(key);
      if (entry && entry.count >= limit) return Promise.resolve(Math.max(entry.endsAt - now, 1));
    }
    for (const { key } of keys) {
      const entry = this.live(key);
      if (entry) entry.count += 1;
      else this.counts.set(key, { count: 1, endsAt: now + windowMs });
    }
    return Promise.resolve(0);
  }
  undo(key: string): Promise<void> {
    const entry = this.live(key);
    if (entry && entry.count > 0) entry.count -= 1;
    return Promise.resolve();
  }
  clear(key: string): Promise<void> {
    this.counts.delete(key);
    return Promise.resolve();
  }
}

/**
 * Staff sign-in throttling (password guessing and credential stuffing). Every
 * attempt counts before the password is checked; a success forgets the
 * account's failures and does not count against its address. Emails and
 * addresses appear in keys only hashed.
 */
export class LoginLimiter {
  private readonly policy: LoginLimitPolicy;
  constructor(
    private readonly counter: AttemptCounter,
    private readonly prefix: string,
    policy: Partial<LoginLimitPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_LOGIN_LIMITS, ...policy };
  }

  private keys(email: string, ip: string): { account: string; ip: string } {
    const hash = (kind: string, value: string) => createHash('sha256').update(`${kind}:${value}`).digest('hex');
    return { account: `${this.prefix}:staff:login:account:${hash('account', email.trim().toLowerCase())}`, ip: `${this.prefix}:staff:login:ip:${hash('ip', ip)}` };
  }

  /** @throws AppError RATE_LIMITED (details.retryAfterSeconds) when the account or the address has used its tries. */
  async attempt(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    const waitMs = await this.counter.hit(
      [
        { key: keys.account, limit: this.policy.perAccount },
        { key: keys.ip, limit: this.policy.perIp },
      ],
      this.policy.windowSeconds * 1000,
    );
    if (waitMs <= 0) return;
    const retryAfterSeconds = Math.ceil(waitMs / 1000);
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    throw new AppError('RATE_LIMITED', `Too many sign-in attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, { retryAfterSeconds });
  }

  async succeeded(email: string, ip: string): Promise<void> {
    const keys = this.keys(email, ip);
    await Promise.all([this.counter.clear(keys.account), this.counter.undo(keys.ip)]);
  }
}
