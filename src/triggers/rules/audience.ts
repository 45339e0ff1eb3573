import type { ConditionTrace, VisitorFacts } from '../ports.js';
import type { TriggerEvent } from '../trigger-event.js';
import { localDaysBetween } from './local-time.js';
import type { AttributeCondition, Audience } from './rule.schema.js';

/**
 * Audience conditions over what we know about the visitor. A condition about
 * a visitor we do not know (or a fact we lack) fails: rules that need a
 * condition must not fire on a guess.
 */

type Scalar = string | number | boolean;

const numeric = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
};

/** Equal as stored, or as numbers when one side is a numeric string ("42" = 42). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === typeof b) return false;
  const [x, y] = [numeric(a), numeric(b)];
  return x !== undefined && x === y;
}

/** Numbers compare as numbers, other strings lexically (ISO dates order correctly). */
function compare(actual: unknown, expected: unknown): number | undefined {
  const [x, y] = [numeric(actual), numeric(expected)];
  if (x !== undefined && y !== undefined) return x - y;
  if (typeof actual === 'string' && typeof expected === 'string') return actual < expected ? -1 : actual > expected ? 1 : 0;
  return undefined;
}

/** attributes["a.b"] first, else the nested path a → b. */
export function attributeValue(attributes: Record<string, unknown>, key: string): unknown {
  if (key in attributes) return attributes[key];
  let current: unknown = attributes;
  for (const part of key.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const exists = (v: unknown): boolean => v !== undefined && v !== null;
const list = (value: unknown): Scalar[] => (Array.isArray(value) ? (value as Scalar[]) : value === undefined ? [] : [value as Scalar]);

/** Negative operators (neq, not_in, not_exists) hold for a missing attribute. */
export function attributeMatches(condition: AttributeCondition, actual: unknown): boolean {
  const { op, value } = condition;
  switch (op) {
    case 'exists':
      return exists(actual);
    case 'not_exists':
      return !exists(actual);
    case 'eq':
      return exists(actual) && same(actual, value);
    case 'neq':
      return !exists(actual) || !same(actual, value);
    case 'in':
      return exists(actual) && list(value).some((v) => same(actual, v));
    case 'not_in':
      return !exists(actual) || !list(value).some((v) => same(actual, v));
    case 'contains':
      if (typeof actual === 'string') return typeof value === 'string' && actual.toLowerCase().includes(value.toLowerCase());
      return Array.isArray(actual) && actual.some((v) => same(v, value));
    default: {
      const order = exists(actual) ? compare(actual, value) : undefined;
      if (order === undefined) return false;
      return { gt: order > 0, gte: order >= 0, lt: order < 0, lte: order <= 0 }[op];
    }
  }
}

function rangeTrace(condition: string, range: { min?: number | undefined; max?: number | undefined }, actual: number | null): ConditionTrace {
  const passed = actual !== null && (range.min === undefined || actual >= range.min) && (range.max === undefined || actual <= range.max);
  return { condition, expected: { ...range }, actual, passed };
}

/** Days since the previous visit: the event's own figure, else the local calendar days from the visit statistics. */
export function daysSinceLastVisit(event: TriggerEvent, visitor: VisitorFacts | null, timeZone: string): number | null {
  if (event.daysSinceLastVisit !== undefined) return event.daysSinceLastVisit;
  if (!visitor?.previousVisitAt) return null;
  return localDaysBetween(visitor.previousVisitAt, new Date(event.occurredAt), timeZone);
}

/** One trace entry per configured condition, passed ones included. */
export function audienceTrace(audience: Audience, event: TriggerEvent, visitor: VisitorFacts | null, timeZone: string): ConditionTrace[] {
  const trace: ConditionTrace[] = [];
  if (audience.knownVisitor) trace.push({ condition: 'audience.knownVisitor', expected: true, actual: visitor !== null, passed: visitor !== null });
  if (audience.loyaltyMember !== undefined) {
    const actual = visitor ? visitor.loyaltyMember : null;
    trace.push({ condition: 'audience.loyaltyMember', expected: audience.loyaltyMember, actual, passed: actual === audience.loyaltyMember });
  }
  if (audience.visitCount) trace.push(rangeTrace('audience.visitCount', audience.visitCount, visitor ? visitor.visitCount : null));
  if (audience.daysSinceLastVisit) {
    trace.push(rangeTrace('audience.daysSinceLastVisit', audience.daysSinceLastVisit, daysSinceLastVisit(event, visitor, timeZone)));
  }
  for (const condition of audience.attributes) {
    const actual = visitor ? attributeValue(visitor.attributes, condition.key) : undefined;
    trace.push({
      condition: `audience.attributes.${condition.key}`,
      expected: condition.value === undefined ? { op: condition.op } : { op: condition.op, value: condition.value },
      actual: actual ?? null,
      passed: visitor !== null && attributeMatches(condition, actual),
    });
  }
  return trace;
}
