import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldErrors, formProblems, friendly } from '../../src/admin/triggers/rule-form-errors.js';
import { definitionFrom, formFrom, scheduleWindows } from '../../src/admin/triggers/rule-form-mapping.js';
import { emptyForm, readForm, type RuleFormValues } from '../../src/admin/triggers/rule-form.js';
import { ruleDefinitionSchema, WEEKDAYS, type RuleDefinition } from '../../src/triggers/rules/rule.schema.js';

const VENUE = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const OTHER_VENUE = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const ZONE = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e';
const ENDPOINT = '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f';

/** Every field set, every operator used, values of each type, windows that wrap past midnight. */
const everything: RuleDefinition = ruleDefinitionSchema.parse({
  name: 'Welcome back, gold members',
  description: 'Returns after a month, weekday mornings.',
  enabled: false,
  trigger: { type: 'presence.returned', minDays: 30, maxDays: 120 },
  scope: { venueIds: [VENUE, OTHER_VENUE], zoneIds: [ZONE] },
  audience: {
    knownVisitor: true,
    loyaltyMember: false,
    visitCount: { min: 2, max: 50 },
    daysSinceLastVisit: { min: 28 },
    attributes: [
      { key: 'tier', op: 'eq', value: 'gold' },
      { key: 'postcode', op: 'eq', value: '90210' },
      { key: 'vip', op: 'neq', value: true },
      { key: 'segment', op: 'in', value: ['a', 'b', 3] },
      { key: 'notes', op: 'not_in', value: ['x, y', 'z'] },
      { key: 'spend', op: 'gt', value: 100 },
      { key: 'spend', op: 'gte', value: 10.5 },
      { key: 'age', op: 'lt', value: 65 },
      { key: 'joined', op: 'lte', value: '2026-01-01' },
      { key: 'interests', op: 'contains', value: 'coffee' },
      { key: 'email', op: 'exists' },
      { key: 'churned', op: 'not_exists' },
    ],
  },
  schedule: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '11:30' },
    { days: ['fri', 'sat'], from: '21:00', to: '02:00' },
  ],
  cooldownMinutes: 90,
  countsTowardsDailyCap: false,
  quietHours: { mode: 'drop', from: '22:00', to: '07:30' },
  controlGroupPercent: 15,
  actions: [
    { type: 'webhook', endpointIds: [ENDPOINT], payloadTemplate: { campaign: 'welcome-back', venue: '{{venue.name}}', nested: { n: 1 } }, withoutConsent: 'skip' },
    { type: 'sms', template: 'Welcome back to {{venue.name}}!' },
  ],
});

/** The form as the browser would post it: flat names, checkboxes only when ticked. */
function posted(form: RuleFormValues): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  const tick = (name: string, on: boolean) => {
    if (on) body[name] = 'yes';
  };
  for (const key of ['name', 'description', 'triggerType', 'dwellMinutes', 'minDays', 'maxDays', 'customName', 'loyalty', 'visitsMin', 'visitsMax', 'daysMin', 'daysMax', 'cooldownValue', 'cooldownUnit', 'quietMode', 'quietFrom', 'quietTo', 'controlPercent'] as const) body[key] = form[key];
  tick('enabled', form.enabled);
  tick('knownVisitor', form.knownVisitor);
  tick('dailyCap', form.dailyCap);
  body.venueIds = form.venueIds;
  body.zoneIds = form.zoneIds;
  form.conditions.forEach((c, n) => Object.assign(body, { [`cond-${n}-key`]: c.key, [`cond-${n}-op`]: c.op, [`cond-${n}-value`]: c.value }));
  for (const day of WEEKDAYS) form.schedule[day].forEach((s, n) => Object.assign(body, { [`sched-${day}-${n}-from`]: s.from, [`sched-${day}-${n}-to`]: s.to }));
  form.actions.forEach((a, n) => {
    Object.assign(body, { [`action-${n}-type`]: a.type, [`action-${n}-template`]: a.template, [`action-${n}-payload`]: a.payload, [`action-${n}-withoutConsent`]: a.withoutConsent, [`action-${n}-endpointIds`]: a.endpointIds });
    tick(`action-${n}-on`, a.on);
  });
  return body;
}

const parse = (definition: unknown): RuleDefinition => ruleDefinitionSchema.parse(definition);

describe('rule editor form ⇄ rule definition', () => {
  it('round-trips a rule with every field set: rule → form → posted form → the same rule', () => {
    const form = formFrom(everything);
    assert.deepEqual(parse(definitionFrom(readForm(posted(form)))), everything);
  });

  it('round-trips the form: form → rule → form gives the same fields', () => {
    const form = formFrom(everything);
    assert.deepEqual(formFrom(parse(definitionFrom(form))), form);
  });

  it('fills the form as a marketer reads it', () => {
    const form = formFrom(everything);
    assert.equal(form.triggerType, 'presence.returned');
    assert.deepEqual([form.minDays, form.maxDays], ['30', '120']);
    assert.deepEqual([form.cooldownValue, form.cooldownUnit], ['90', 'minutes']);
    assert.equal(formFrom({ ...everything, cooldownMinutes: 7 * 24 * 60 }).cooldownUnit, 'days');
    assert.equal(form.loyalty, 'non-member');
    assert.deepEqual(form.schedule.fri, [{ from: '08:00', to: '11:30' }, { from: '21:00', to: '02:00' }]);
    assert.deepEqual(form.schedule.sun, [{ from: '', to: '' }, { from: '', to: '' }]);
    const values = form.conditions.map((c) => c.value);
    // Text that would read back as a number is quoted; a list item with a comma makes the list JSON.
    assert.deepEqual(values, ['gold', '"90210"', 'true', 'a, b, 3', '["x, y","z"]', '100', '10.5', '65', '2026-01-01', 'coffee', '', '']);
    assert.deepEqual(form.actions.map((a) => [a.type, a.on]), [['webhook', true], ['sms', true]]);
    assert.match(form.actions[0]?.payload ?? '', /"campaign": "welcome-back"/);
  });

  it('offers an unused slot for a channel the rule does not use, and leaves it out of the rule', () => {
    const smsOnly = parse({ name: 'x', trigger: { type: 'presence.dwell', minutes: 15 }, actions: [{ type: 'sms', template: 'Hi' }] });
    const form = formFrom(smsOnly);
    assert.deepEqual(form.actions.map((a) => [a.type, a.on]), [['sms', true], ['webhook', false]]);
    assert.deepEqual(parse(definitionFrom(form)), smsOnly);
  });

  it('groups weekday windows with the same times into one window, in weekday order', () => {
    const form = emptyForm();
    form.schedule.sat[0] = { from: '10:00', to: '14:00' };
    form.schedule.mon[1] = { from: '10:00', to: '14:00' };
    form.schedule.tue[0] = { from: '09:00', to: '' };
    assert.deepEqual(
      scheduleWindows(form.schedule).map(({ days, from, to }) => ({ days, from, to })),
      [
        { days: ['mon', 'sat'], from: '10:00', to: '14:00' },
        { days: ['tue'], from: '09:00', to: '' },
      ],
    );
  });

  it('leaves what it cannot read for the schema to report, and blank rows out', () => {
    const form = { ...emptyForm(), dwellMinutes: 'soon', controlPercent: '', conditions: [{ key: '', op: 'eq', value: '' }, { key: 'tier', op: 'in', value: '' }] };
    const definition = definitionFrom(form) as { trigger: unknown; controlGroupPercent: unknown; audience: { attributes: unknown[] } };
    assert.deepEqual(definition.trigger, { type: 'presence.dwell', minutes: 'soon' });
    assert.equal(definition.controlGroupPercent, '');
    assert.deepEqual(definition.audience.attributes, [{ key: 'tier', op: 'in' }]);
  });
});

describe('rule editor validation messages', () => {
  const form = (): RuleFormValues => {
    const f = formFrom(everything);
    // An unused SMS slot before the used ones: rule action N is not form slot N.
    f.actions.unshift({ ...f.actions[1]!, on: false });
    f.schedule.wed[0] = { from: '', to: '' };
    return f;
  };

  it('puts each schema path next to its form field', () => {
    const f = form();
    const errors = fieldErrors(
      [
        { path: 'name', message: 'Too small: expected string to have >=1 characters' },
        { path: 'trigger.maxDays', message: 'Too big: expected number to be <=3650' },
        { path: 'audience.visitCount', message: 'min must not exceed max' },
        { path: 'audience.daysSinceLastVisit.min', message: 'Invalid input: expected number, received string' },
        { path: 'audience.attributes.3.value', message: 'in needs a list of values' },
        { path: 'audience.attributes.0.key', message: 'Invalid string: must match pattern /^[A-Za-z_][\\w.-]{0,63}$/' },
        { path: 'schedule.1.to', message: 'expected HH:MM (24-hour)' },
        { path: 'cooldownMinutes', message: 'Invalid input: expected int, received number' },
        { path: 'controlGroupPercent', message: 'Too big: expected number to be <=50' },
        { path: 'actions.0.endpointIds.0', message: 'unknown webhook endpoint x' },
        { path: 'actions.1.template', message: 'Parse error on line 1' },
        { path: 'scope.zoneIds.0', message: 'unknown zone x' },
        { path: 'quietHours.from', message: 'expected HH:MM (24-hour)' },
        { path: 'somethingElse', message: 'odd' },
      ],
      f,
    );
    assert.deepEqual(errors, {
      name: 'Required.',
      maxDays: 'At most 3650.',
      visitsMax: 'Min must not exceed max.',
      daysMin: 'Enter a number.',
      'cond-3-value': 'Give a comma-separated list of values.',
      'cond-0-key': 'Start with a letter or "_", then letters, digits, "_", "." or "-" (up to 64).',
      // Window 1 (fri/sat 21:00–02:00) starts at Friday's second slot.
      'sched-fri-1-to': 'Expected HH:MM (24-hour).',
      cooldownValue: 'Enter a whole number.',
      controlPercent: 'At most 50.',
      'action-1-endpointIds': 'Unknown webhook endpoint x.',
      'action-2-template': 'Parse error on line 1.',
      zoneIds: 'Unknown zone x.',
      quietFrom: 'Expected HH:MM (24-hour).',
      form: 'Odd.',
    });
  });

  it('asks for an action when none is turned on', () => {
    assert.deepEqual(fieldErrors([{ path: 'actions', message: 'Too small: expected array to have >=1 items' }], emptyForm()), { actions: 'Turn on at least one action: a webhook or an SMS.' });
    assert.equal(friendly('dwellMinutes', 'Too small: expected number to be >=1'), 'At least 1.');
  });

  it('says why a payload template is not a JSON object, or a cooldown unit unknown', () => {
    const f = formFrom(everything);
    f.actions[0]!.payload = '{"campaign": ';
    assert.match(formProblems(f)['action-0-payload'] ?? '', /^Not valid JSON/);
    f.actions[0]!.payload = '["a"]';
    assert.match(formProblems(f)['action-0-payload'] ?? '', /JSON object/);
    f.actions[0]!.on = false;
    assert.deepEqual(formProblems(f), {});
    assert.deepEqual(formProblems({ ...f, cooldownUnit: 'weeks' }), { cooldownValue: 'Choose a unit: minutes, hours or days.' });
    assert.equal((definitionFrom({ ...f, cooldownUnit: 'weeks' }) as { cooldownMinutes: unknown }).cooldownMinutes, '90', 'left for the schema to refuse');
  });
});
