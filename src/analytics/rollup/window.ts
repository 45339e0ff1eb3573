import type { VenueAnalyticsSettings } from '../analytics.settings.js';

/** Probes may arrive this late (sensor batches, retries): sessions are not cut before it. */
export const SETTLE_SECONDS = 120;
/** Probes before the window feed the rolling thresholds and static-device detection. */
export const WARMUP_SECONDS = 3 * 3600;
/** A session open longer than this (a device left on all day) is not re-read from its start each time. */
export const MAX_REWRITE_SECONDS = 12 * 3600;
/** Catching up on imported or delayed probes goes forward this much per step, keeping each read bounded. */
export const MAX_STEP_SECONDS = 6 * 3600;

export interface RollupWindow {
  /** Sessions starting at or after this are replaced. */
  from: number;
  to: number;
  /** Probes are read from here (the warm-up before `from`). */
  readFrom: number;
  /** False while catching up: run again. */
  caughtUp: boolean;
}

/**
 * The stretch to (re)compute: from the start of the oldest session that may
 * still grow (ended within a session timeout of the last run) or, without
 * one, from that cut-off; up to now minus the settle time, at most one step
 * past the last run. Pure: the clock and the stored marks come in as numbers.
 */
export function planWindow(input: { now: number; doneUntil: number; openSince: number | undefined; settings: VenueAnalyticsSettings }): RollupWindow | undefined {
  const { doneUntil } = input;
  const cutoff = doneUntil - input.settings.sessionTimeoutSeconds;
  const from = Math.max(Math.min(cutoff, input.openSince ?? cutoff), doneUntil - MAX_REWRITE_SECONDS);
  const settled = Math.floor(input.now - SETTLE_SECONDS);
  const to = Math.min(settled, doneUntil + MAX_STEP_SECONDS);
  if (to <= from) return undefined;
  return { from, to, readFrom: from - WARMUP_SECONDS, caughtUp: to >= settled };
}
