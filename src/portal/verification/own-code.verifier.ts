import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type twilio from 'twilio';
import { mapSendError, normaliseCode, type CheckResult, type SmsLocale, type SmsVerifier } from './sms-verifier.js';

export const DEFAULT_CODE_TTL_SECONDS = 10 * 60;
export const DEFAULT_CODE_ATTEMPTS = 5;
const CODE_DIGITS = 6;

export interface CodeStoreOptions {
  redis: Redis;
  /** Key prefix shared with the rest of Passby's Redis keys (config.queue.prefix). */
  prefix: string;
  /**
   * Secret for the HMACs. A plain hash of a 6-digit code is reversed by trying
   * a million inputs, and a plain hash of a phone number by trying every number
   * in a country, so both are keyed.
   */
  hmacKey: string | Buffer;
  ttlSeconds?: number;
  maxAttempts?: number;
}

/**
 * Counts one check and hands back the stored MAC, or nil when there is no
 * usable code. The comparison itself happens in Node with timingSafeEqual.
 * Past the attempt limit the code is deleted, so even the right code is refused.
 */
const TAKE_ATTEMPT = `
local mac = redis.call('HGET', KEYS[1], 'mac')
if not mac then return false end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return false
end
return mac`;

/** Deletes the code only if it is still the one we mean: a newer send may have replaced it meanwhile. */
const DELETE_IF_SAME = `
if redis.call('HGET', KEYS[1], 'mac') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * One-time codes in Redis, stored only as HMAC(key, phone + code) under
 * `<prefix>:portal:code:<HMAC of phone>`, with a TTL and an attempt counter.
 * Shared by the own-code and development verifiers.
 */
export class HashedCodeStore {
  readonly ttlSeconds: number;
  readonly maxAttempts: number;

  constructor(private readonly options: CodeStoreOptions) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_CODE_TTL_SECONDS;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_CODE_ATTEMPTS;
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.options.hmacKey).update(text).digest('hex');
  }

  private key(to: string): string {
    return `${this.options.prefix}:portal:code:${this.hmac(`phone:${to}`)}`;
  }

  private mac(to: string, code: string): string {
    // Binding the phone in means the same code for two guests stores two different values.
    return this.hmac(`code:${to}:${code}`);
  }

  /** Makes a new code for `to`, replacing (and so invalidating) any earlier one and its attempt count. */
  async issue(to: string): Promise<string> {
    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    const key = this.key(to);
    const results = await this.options.redis
      .multi()
      .del(key)
      .hset(key, { mac: this.mac(to, code), attempts: 0 })
      .expire(key, this.ttlSeconds)
      .exec();
    // EXEC reports a failed command in its results instead of rejecting; a code that was not stored must not be sent.
    const failed = results === null ? new Error('transaction aborted') : results.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
    return code;
  }

  /** Counts an attempt; a right code is used up, so a second check of it is 'expired'. */
  async verify(to: string, code: string): Promise<CheckResult> {
    const key = this.key(to);
    const stored = (await this.options.redis.eval(TAKE_ATTEMPT, 1, key, this.maxAttempts)) as string | null;
    if (stored === null) return 'expired';
    const digits = normaliseCode(code);
    if (digits === undefined || !this.sameMac(stored, this.mac(to, digits))) return 'wrong';
    // Two tabs submitting the right code at once: only the one that deletes it wins.
    const deleted = (await this.options.redis.eval(DELETE_IF_SAME, 1, key, stored)) as number;
    return deleted === 1 ? 'approved' : 'expired';
  }

  /** True while `code` is the live code for `to`, without counting an attempt (development display only). */
  async holds(to: string, code: string): Promise<boolean> {
    const stored = await this.options.redis.hget(this.key(to), 'mac');
    return stored !== null && this.sameMac(stored, this.mac(to, code));
  }

  /** Forgets `code` if it is still the live one (its SMS never left). */
  async discard(to: string, code: string): Promise<void> {
    await this.options.redis.eval(DELETE_IF_SAME, 1, this.key(to), this.mac(to, code));
  }

  private sameMac(a: string, b: string): boolean {
    const left = Buffer.from(a, 'hex');
    const right = Buffer.from(b, 'hex');
    return left.length === right.length && timingSafeEqual(left, right);
  }
}

const BODIES: Record<SmsLocale, (code: string) => string> = {
  // Short on purpose: Cyrillic SMS are UCS-2, 70 characters a segment, and every segment is billed.
  en: (code) => `Your Wi-Fi code is ${code}`,
  ru: (code) => `Ваш код для Wi-Fi: ${code}`,
};

export type MessageSender = { messagingServiceSid: string } | { from: string };

/** Picks the sender from TwilioConfig: a Messaging Service (sender pools, geo-matching) wins over a bare number. */
export function messageSenderFrom(config: { messagingServiceSid: string | undefined; from: string | undefined }): MessageSender {
  if (config.messagingServiceSid !== undefined) return { messagingServiceSid: config.messagingServiceSid };
  if (config.from !== undefined) return { from: config.from };
  throw new Error('Own-code SMS needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM');
}

/**
 * Our own 6-digit code over Twilio's Messaging API: cheaper than Verify and
 * works with any sender, at the price of keeping the (hashed) code ourselves.
 */
export class OwnCodeVerifier implements SmsVerifier {
  readonly kind = 'own-code';

  constructor(
    private readonly client: twilio.Twilio,
    private readonly store: HashedCodeStore,
    private readonly sender: MessageSender,
  ) {}

  async send(to: string, locale: SmsLocale): Promise<void> {
    const code = await this.store.issue(to);
    try {
      await this.client.messages.create({ to, body: BODIES[locale](code), ...this.sender });
    } catch (error) {
      // Nobody received this code, so nothing should be able to match it (the earlier code is gone either way).
      await this.store.discard(to, code).catch(() => undefined);
      throw mapSendError(error);
    }
  }

  check(to: string, code: string): Promise<CheckResult> {
    return this.store.verify(to, code);
  }
}
