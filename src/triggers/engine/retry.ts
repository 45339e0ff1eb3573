/**
 * When to try a delivery again (pure: the caller passes the random draw).
 * Webhooks follow the configured schedule with ±10 % jitter (so a CRM that
 * comes back is not hit by every queued delivery at the same instant) and
 * never sooner than its Retry-After. SMS: three attempts in all, exponential.
 */
export const JITTER = 0.1;
/** A receiver cannot park a delivery for longer than this with Retry-After. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
export const SMS_MAX_ATTEMPTS = 3;
export const SMS_RETRY_BASE_MS = 5_000;

const jittered = (base: number, random: number): number => Math.round(base * (1 - JITTER + 2 * JITTER * random));

/**
 * Delay before the next webhook attempt after `failedAttempts` failures in this run
 * (1 after the first attempt), or undefined when the schedule is used up.
 */
export function webhookRetryDelay(failedAttempts: number, schedule: readonly number[], retryAfterMs: number | undefined, random: number): number | undefined {
  const base = schedule[failedAttempts - 1];
  if (base === undefined || failedAttempts < 1) return undefined;
  return Math.max(jittered(base, random), Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/** Delay before the next SMS attempt after `failedAttempts` failures, or undefined after the last. */
export function smsRetryDelay(failedAttempts: number, random: number): number | undefined {
  if (failedAttempts < 1 || failedAttempts >= SMS_MAX_ATTEMPTS) return undefined;
  return jittered(SMS_RETRY_BASE_MS * 2 ** (failedAttempts - 1), random);
}
