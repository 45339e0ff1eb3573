import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { attributeMatches, attributeValue } from '../../../src/triggers/rules/audience.js';
import { controlBucket } from '../../../src/triggers/rules/control-group.js';
import { evaluateRule } from '../../../src/triggers/rules/evaluate.js';
import { attributeConditionSchema, type AttributeCondition } from '../../../src/triggers/rules/rule.schema.js';
import { makeEvent, makeInput, makeRule, RULE_ID } from './fixtures.js';

const holds = (op: AttributeCondition['op'], actual: unknown, value?: AttributeCondition['value']): boolean =>
  attributeMatches({ key: 'k', op, ...(value === undefined ? {} : { value }) }, actual);

describe('attribute operators', () => {
  it('eq / neq compare values, numbers also against numeric strings', () => {
    assert.equal(holds('eq', 'gold', 'gold'), true);
    assert.equal(holds('eq', 'Gold', 'gold'), false);
    assert.equal(holds('eq', 42, '42'), true);
    assert.equal(holds('eq', true, true), true);
    assert.equal(holds('eq', undefined, 'gold'), false);
    assert.equal(holds('neq', 'silver', 'gold'), true);
    assert.equal(holds('neq', 'gold', 'gold'), false);
    assert.equal(holds('neq', undefined, 'gold'), true, 'a missing attribute is not equal');
  });

  it('in / not_in test membership of a list', () => {
    assert.equal(holds('in', 'b', ['a', 'b']), true);
    assert.equal(holds('in', 3, [1, 2, 3]), true);
    assert.equal(holds('in', 'c', ['a', 'b']), false);
    assert.equal(holds('in', null, ['a']), false);
    assert.equal(holds('not_in', 'c', ['a', 'b']), true);
    assert.equal(holds('not_in', 'a', ['a', 'b']), false);
    assert.equal(holds('not_in', undefined, ['a']), true);
  });

  it('gt / gte / lt / lte compare numbers numerically and other strings lexically', () => {
    assert.equal(holds('gt', 10, 9), true);
    assert.equal(holds('gt', '10', 9), true, 'not "10" < "9" as text');
    assert.equal(holds('gte', 9, 9), true);
    assert.equal(holds('lt', 9, 9), false);
    assert.equal(holds('lte', 9, 9), true);
    assert.equal(holds('lt', '2026-01-01', '2026-06-01'), true, 'ISO dates order as text');
    assert.equal(holds('gt', 'abc', 5), false, 'text against a number never holds');
    assert.equal(holds('gt', undefined, 5), false);
  });

  it('contains matches substrings (any case) and list members', () => {
    assert.equal(holds('contains', 'Vegan, gluten free', 'VEGAN'), true);
    assert.equal(holds('contains', 'omnivore', 'vegan'), false);
    assert.equal(holds('contains', ['wine', 'beer'], 'beer'), true);
    assert.equal(holds('contains', 12, 1), false);
  });

  it('exists / not_exists treat null as absent', () => {
    assert.equal(holds('exists', 0), true);
    assert.equal(holds('exists', null), false);
    assert.equal(holds('not_exists', undefined), true);
    assert.equal(holds('not_exists', ''), false);
  });

  it('reads dotted keys literally first, then as a path', () => {
    assert.equal(attributeValue({ 'crm.tier': 'gold' }, 'crm.tier'), 'gold');
    assert.equal(attributeValue({ crm: { tier: 'silver' } }, 'crm.tier'), 'silver');
    assert.equal(attributeValue({ crm: 'x' }, 'crm.tier'), undefined);
  });

  it('refuses operands that can never work when a rule is saved', () => {
    assert.equal(attributeConditionSchema.safeParse({ key: 'tier', op: 'in', value: 'gold' }).success, false);
    assert.equal(attributeConditionSchema.safeParse({ key: 'tier', op: 'eq' }).success, false);
    assert.equal(attributeConditionSchema.safeParse({ key: 'tier', op: 'exists', value: 1 }).success, false);
    assert.equal(attributeConditionSchema.safeParse({ key: 'spend', op: 'gt', value: 100 }).success, true);
  });
});

describe('control group', () => {
  it('puts the same visitor in the same bucket every time, independently per rule', () => {
    const visitor = randomUUID();
    assert.equal(controlBucket(RULE_ID, visitor), controlBucket(RULE_ID, visitor));
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const otherRule = randomUUID();
    const same = ids.filter((id) => controlBucket(RULE_ID, id) === controlBucket(otherRule, id)).length;
    assert.ok(same < 20, `buckets of two rules should be unrelated, ${same}/200 equal`);
  });

  it('holds back close to the configured share of 10,000 visitors', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const held = ids.filter((id) => controlBucket(RULE_ID, id) < 20).length;
    // Binomial(10,000, 0.2): standard deviation 40, so ±200 is five of them.
    assert.ok(held > 1800 && held < 2200, `held back ${held} of 10,000 for 20 %`);
    const buckets = new Set(ids.map((id) => controlBucket(RULE_ID, id)));
    assert.equal(buckets.size, 100);
  });

  it('records control-group visitors as suppressed with the bucket in the trace', () => {
    const rule = makeRule({ controlGroupPercent: 50 });
    const visitorIds = Array.from({ length: 50 }, () => randomUUID());
    const inGroup = visitorIds.find((id) => controlBucket(RULE_ID, id) < 50) ?? '';
    const outside = visitorIds.find((id) => controlBucket(RULE_ID, id) >= 50) ?? '';
    const decide = (visitorId: string) => evaluateRule(makeInput({ rule, event: makeEvent({ visitorId }) }));
    const held = decide(inGroup);
    assert.equal(held.outcome, 'suppressed');
    assert.equal(held.reason, 'control_group');
    assert.deepEqual(held.trace.at(-1), { condition: 'controlGroup', expected: 'bucket >= 50', actual: controlBucket(RULE_ID, inGroup), passed: false });
    assert.equal(decide(outside).outcome, 'fired');
    assert.equal(decide(inGroup).reason, 'control_group', 'the same decision again');
  });
});
