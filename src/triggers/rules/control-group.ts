import { createHash } from 'node:crypto';

/**
 * A visitor's stable bucket (0-99) for a rule: the same visitor is always in
 * or out of the rule's control group, and different rules split visitors
 * independently.
 */
export function controlBucket(ruleId: string, subjectId: string): number {
  return createHash('sha256').update(`${ruleId}:${subjectId}`).digest().readUInt32BE(0) % 100;
}

export const inControlGroup = (percent: number, bucket: number): boolean => bucket < percent;
