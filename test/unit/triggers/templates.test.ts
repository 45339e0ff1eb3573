import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../../src/shared/errors.js';
import { templateContext, type TemplateContextInput } from '../../../src/triggers/rules/template-context.js';
import { compileRuleTemplates, renderSms, renderWebhookData, templatesFor } from '../../../src/triggers/rules/templates.js';
import { makeEvent, makeRule, VENUE_ID, VISITOR_ID } from './fixtures.js';

const venue = { id: VENUE_ID, name: 'Fish & Chips <Harbour>', timezone: 'Europe/London' };
const visitor = { id: VISITOR_ID, phone: '+447700900123', loyaltyMember: true, attributes: { firstName: 'Ann', tier: 'gold' }, visitCount: 4 };

function context(overrides: Partial<TemplateContextInput> = {}) {
  return templateContext({ event: makeEvent({ properties: { basket: 12.5 } }), rule: makeRule(), venue, visitor, personalData: true, ...overrides });
}

function templateError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('expected TEMPLATE_INVALID');
}

describe('SMS templates', () => {
  it('renders the event context as plain text, without HTML escaping', () => {
    const text = renderSms('Hi {{visitor.attributes.firstName}}, welcome back to {{venue.name}} (visit {{visitor.visitCount}}, {{local.weekday}} {{local.time}})', context());
    assert.equal(text, 'Hi Ann, welcome back to Fish & Chips <Harbour> (visit 4, wed 12:00)');
  });

  it('offers {{default}} and the built-in block helpers', () => {
    assert.equal(renderSms('Hi {{default visitor.attributes.nickname "there"}}', context()), 'Hi there');
    assert.equal(renderSms('{{#if visitor.loyaltyMember}}Member deal{{else}}Join us{{/if}}', context()), 'Member deal');
    assert.equal(renderSms('Basket {{event.properties.basket}}', context()), 'Basket 12.5');
  });

  it('gives no access to prototypes', () => {
    assert.equal(renderSms('[{{visitor.constructor}}][{{__proto__}}][{{venue.toString}}]', context()), '[][][]');
  });

  it('leaves the phone and attributes out without personal data', () => {
    const ctx = context({ personalData: false });
    assert.equal(ctx.visitor?.phone, undefined);
    assert.equal(ctx.visitor?.attributes, undefined);
    assert.equal(ctx.visitor?.id, VISITOR_ID);
    assert.equal(renderSms('[{{visitor.phone}}][{{visitor.attributes.firstName}}]', ctx), '[][]');
    assert.equal(context().visitor?.phone, '+447700900123');
  });
});

describe('compileRuleTemplates', () => {
  it('names every bad template by action index, with the parser message', () => {
    const rule = makeRule({
      actions: [
        { type: 'sms', template: 'fine {{venue.name}}' },
        { type: 'sms', template: 'Hi {{visitor.id' },
        { type: 'webhook', payloadTemplate: { a: { b: '{{shout venue.name}}' } } },
      ],
    });
    const error = templateError(() => compileRuleTemplates(rule.definition));
    assert.equal(error.code, 'TEMPLATE_INVALID');
    const fields = error.details?.fields ?? [];
    assert.deepEqual(fields.map((f) => f.path), ['actions.1.template', 'actions.2.payloadTemplate.a.b']);
    assert.match(fields[0]?.message ?? '', /Parse error/);
    assert.match(fields[1]?.message ?? '', /unknown helper shout/);
  });

  it('refuses partials and decorators (they would fail at send time)', () => {
    const rule = makeRule({ actions: [{ type: 'sms', template: 'Hi {{> signature}}' }] });
    assert.match(templateError(() => compileRuleTemplates(rule.definition)).details?.fields?.[0]?.message ?? '', /partials/);
  });

  it('caches compiled templates per rule id and version', () => {
    const v1 = makeRule();
    assert.equal(templatesFor(v1), templatesFor({ ...v1 }));
    const v2 = { ...makeRule({ actions: [{ type: 'sms', template: 'v2 {{venue.name}}' }] }), version: 2 };
    assert.notEqual(templatesFor(v2), templatesFor(v1));
    assert.equal(templatesFor(v2).sms(0, context()), 'v2 Fish & Chips <Harbour>');
  });
});

describe('webhook payload templates', () => {
  it('renders string leaves anywhere in the JSON and copies everything else', () => {
    const data = renderWebhookData(
      { customer: { ref: 'crm-{{visitor.id}}', tier: '{{visitor.attributes.tier}}' }, tags: ['walk-in', '{{venue.id}}'], score: 3, vip: true, none: null },
      context(),
    );
    assert.deepEqual(data, { customer: { ref: `crm-${VISITOR_ID}`, tier: 'gold' }, tags: ['walk-in', VENUE_ID], score: 3, vip: true, none: null });
  });

  it('refuses templates nested too deep or too large', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let i = 0; i < 9; i++) deep = { d: deep };
    assert.match(templateError(() => renderWebhookData(deep, context())).message, /deeper than 8/);
    assert.match(templateError(() => renderWebhookData({ big: 'x'.repeat(9000) }, context())).message, /larger than/);
  });

  it('caps what visitor data can blow up to', () => {
    const long = context();
    long.visitor = { ...visitor, attributes: { notes: 'n'.repeat(5000) } };
    const data = renderWebhookData({ a: '{{visitor.attributes.notes}}' }, long);
    assert.equal((data.a as string).length, 1000);
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, '{{visitor.attributes.notes}}']));
    assert.deepEqual(renderWebhookData(many, long), { truncated: true });
  });

  it('has no data.custom for a webhook without a payloadTemplate', () => {
    const templates = compileRuleTemplates(makeRule({ actions: [{ type: 'webhook' }] }).definition);
    assert.equal(templates.webhookData(0, context()), undefined);
  });
});
