import type { ConditionTrace } from '../ports.js';
import { describeLocal, localParts, minutesOf, nextLocalTime } from './local-time.js';
import type { RuleDefinition, TriggerSettings } from './rule.schema.js';
import { inDailyWindow } from './schedule.js';

export interface QuietHours {
  from: string;
  to: string;
}

/** The rule's own quiet hours where it sets them, else the organisation's (per end). */
export function effectiveQuietHours(definition: RuleDefinition, settings: TriggerSettings): QuietHours {
  return { from: definition.quietHours.from ?? settings.quietHours.from, to: definition.quietHours.to ?? settings.quietHours.to };
}

/**
 * When the quiet hours around `now` end (local `to`), or null when `now` is
 * not in them. Equal ends mean no quiet hours at all.
 */
export function quietHoursEnd(now: Date, timeZone: string, quiet: QuietHours): Date | null {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return null;
  if (!inDailyWindow(localParts(now, timeZone).minuteOfDay, from, to)) return null;
  return nextLocalTime(now, timeZone, quiet.to);
}

export function quietHoursTrace(index: number, now: Date, timeZone: string, quiet: QuietHours, end: Date | null): ConditionTrace {
  return {
    condition: `actions.${index}.quietHours`,
    expected: `outside ${quiet.from}-${quiet.to}`,
    actual: end ? `${describeLocal(localParts(now, timeZone))} (quiet until ${end.toISOString()})` : describeLocal(localParts(now, timeZone)),
    passed: end === null,
  };
}
