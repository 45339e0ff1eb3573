import type { Config } from '../../config.js';
import type { HashedCodeStore } from './own-code.verifier.js';
import type { CheckResult, SmsLocale, SmsVerifier } from './sms-verifier.js';

/** Plenty for one developer's browser tabs; keeps a long-running dev server from growing without bound. */
const REMEMBERED_CODES = 1000;

/**
 * Development without Twilio: codes are made and checked exactly like the
 * own-code verifier (same hashed Redis storage, TTL and attempt limit), but
 * nothing is sent; the portal page may show `lastCodeFor(to)` instead.
 *
 * The plain code lives only in this process's memory, never in Redis. Because
 * the code is handed to whoever asks, constructing this with NODE_ENV=production
 * throws: a misconfigured deployment must fail at start, not sign anyone in.
 */
export class DevSmsVerifier implements SmsVerifier {
  readonly kind = 'dev';
  private readonly lastCodes = new Map<string, string>();

  constructor(
    private readonly store: HashedCodeStore,
    environment: Config['env'],
  ) {
    if (environment === 'production') {
      throw new Error('The development SMS verifier shows codes on the page and must not run with NODE_ENV=production');
    }
  }

  async send(to: string, _locale: SmsLocale): Promise<void> {
    const code = await this.store.issue(to);
    this.lastCodes.delete(to);
    this.lastCodes.set(to, code);
    if (this.lastCodes.size > REMEMBERED_CODES) {
      const oldest = this.lastCodes.keys().next();
      if (oldest.done !== true) this.lastCodes.delete(oldest.value);
    }
  }

  check(to: string, code: string): Promise<CheckResult> {
    return this.store.verify(to, code);
  }

  /** The code last sent to `to`, while it can still be used (not expired, used up or replaced elsewhere). */
  async lastCodeFor(to: string): Promise<string | undefined> {
    const code = this.lastCodes.get(to);
    if (code === undefined) return undefined;
    if (await this.store.holds(to, code)) return code;
    this.lastCodes.delete(to);
    return undefined;
  }
}
