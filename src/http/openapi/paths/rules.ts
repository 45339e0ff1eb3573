import { CONSENT_PURPOSES } from '../../../portal/visitor.repository.js';
import { SUPPRESSION_REASONS } from '../../../triggers/ports.js';
import { ruleDefinitionSchema, triggerSettingsSchema } from '../../../triggers/rules/rule.schema.js';
import { ruleTestSchema } from '../../../triggers/rules/rule-test.schema.js';
import { exampleRule, exampleRulePatch, exampleRuleTest, exampleTriggerSettings } from '../examples.js';
import { arrayOf, bool, fromZod, int, listOf, obj, op, pathParam, ref, str, time, uuid, withProperty, type JsonSchema, type Paths } from '../schema.js';

const tag = 'Rules';
const ruleId = pathParam('id', 'A rule of the caller\'s organisation');

const testRequest = fromZod(ruleTestSchema);
const reason = { type: 'string', enum: [...SUPPRESSION_REASONS] };

export const ruleSchemas: Record<string, JsonSchema> = {
  RuleDefinitionInput: fromZod(ruleDefinitionSchema),
  RuleDefinition: fromZod(ruleDefinitionSchema, 'output'),
  RulePatch: {
    ...fromZod(ruleDefinitionSchema.partial()),
    description:
      'JSON merge patch (RFC 7386) of the definition: objects merge key by key, arrays and values replace, null removes a field (its default applies ' +
      'again); `trigger` is replaced whole. The result is validated as a full definition.',
  },
  RuleView: obj({
    id: uuid(),
    version: int('Starts at 1; every change adds one'),
    name: str(),
    enabled: bool(),
    definition: ref('RuleDefinition'),
    createdAt: time(),
    updatedAt: time(),
  }),
  RuleVersion: obj({ version: int(), definition: ref('RuleDefinition'), savedAt: time() }),
  RuleTestRequest: {
    ...testRequest,
    description:
      'The event to try (no id, organisation or source; occurredAt defaults to `now`). `visitor` overrides the stored facts of event.visitorId ' +
      '(read only) or stands in for a visitor; `history` overrides the firing history (cooldown, daily cap).',
  },
  RuleTestWithRuleRequest: withProperty(testRequest, 'rule', ref('RuleDefinitionInput')),
  ConditionTrace: obj({ condition: str('e.g. trigger, scope.venue, audience.visitCount, schedule, cooldown, dailyCap, consent.sms'), expected: {}, actual: {}, passed: bool() }),
  PlannedAction: obj(
    {
      index: int('Index into the rule\'s actions'),
      channel: { type: 'string', enum: ['webhook', 'sms'] },
      status: { type: 'string', enum: ['send', 'hold', 'suppressed'] },
      reason,
      notBefore: time('hold: not before this instant (end of quiet hours)'),
      personalData: bool('webhook: whether the payload may carry personal data (CRM-sharing consent)'),
    },
    ['reason', 'notBefore', 'personalData'],
  ),
  Decision: obj(
    {
      outcome: { type: 'string', enum: ['fired', 'suppressed'], description: 'fired: at least one action is sent or held' },
      reason,
      trace: arrayOf(ref('ConditionTrace'), 'Every condition checked, with what was expected and found'),
      actions: arrayOf(ref('PlannedAction')),
    },
    ['reason'],
  ),
  RuleTestResult: obj({
    decision: ref('Decision'),
    rendered: obj(
      {
        sms: str('The first SMS action\'s template rendered (the opt-out line and link are appended when sending)'),
        webhook: { type: 'object', description: 'The first webhook action\'s payloadTemplate rendered: the body\'s data.custom' },
      },
      ['sms', 'webhook'],
    ),
  }),
  TriggerSettings: fromZod(triggerSettingsSchema, 'output'),
  TriggerSettingsInput: { ...fromZod(triggerSettingsSchema), description: 'Merge patch: the fields to change (quietHours key by key); the others keep their values' },
  ConsentState: obj(Object.fromEntries(CONSENT_PURPOSES.map((p) => [p, bool()]))),
};

const testDescription =
  'Dry run: evaluates the rule against the event as the engine would and renders its messages. Visitor facts come from the stored visitor ' +
  '(read only) when event.visitorId is given, overridden by `visitor`. Nothing is written, sent or queued.';

export const rulePaths: Paths = {
  '/rules': {
    get: op({ id: 'listRules', tag, summary: 'List rules (deleted ones hidden)', ok: { status: 200, description: 'The rules', schema: listOf(ref('RuleView')) } }),
    post: op({
      id: 'createRule',
      tag,
      summary: 'Create a rule',
      description: 'Templates compile at save: bad Handlebars is 400 TEMPLATE_INVALID naming the action. Venue, zone and endpoint ids must be the organisation\'s (400 otherwise).',
      body: { schema: ref('RuleDefinitionInput'), example: exampleRule },
      ok: { status: 201, description: 'The rule, version 1', schema: ref('RuleView') },
    }),
  },
  '/rules/test': {
    post: op({
      id: 'testUnsavedRule',
      tag,
      summary: 'Dry-run an unsaved rule',
      description: testDescription,
      body: { schema: ref('RuleTestWithRuleRequest'), example: { ...exampleRuleTest, rule: exampleRule } },
      ok: { status: 200, description: 'The decision and rendered messages', schema: ref('RuleTestResult') },
      errors: [404],
    }),
  },
  '/rules/{id}': {
    get: op({ id: 'getRule', tag, summary: 'Get a rule', params: [ruleId], ok: { status: 200, description: 'The rule', schema: ref('RuleView') }, errors: [404] }),
    put: op({
      id: 'replaceRule',
      tag,
      summary: 'Replace a rule\'s definition (version + 1)',
      params: [ruleId],
      body: { schema: ref('RuleDefinitionInput'), example: exampleRule },
      ok: { status: 200, description: 'The rule', schema: ref('RuleView') },
      errors: [404],
    }),
    patch: op({
      id: 'updateRule',
      tag,
      summary: 'Change some fields of a rule (merged, validated, version + 1)',
      params: [ruleId],
      body: { schema: ref('RulePatch'), example: exampleRulePatch },
      ok: { status: 200, description: 'The rule', schema: ref('RuleView') },
      errors: [404],
    }),
    delete: op({ id: 'deleteRule', tag, summary: 'Delete a rule (kept for the decision log, never evaluated again)', params: [ruleId], ok: { status: 204, description: 'Deleted' }, errors: [404] }),
  },
  '/rules/{id}/versions': {
    get: op({ id: 'listRuleVersions', tag, summary: 'Every saved version of a rule', params: [ruleId], ok: { status: 200, description: 'The versions', schema: listOf(ref('RuleVersion')) }, errors: [404] }),
  },
  '/rules/{id}/test': {
    post: op({
      id: 'testRule',
      tag,
      summary: 'Dry-run a saved rule',
      description: testDescription,
      params: [ruleId],
      body: { schema: ref('RuleTestRequest'), example: exampleRuleTest },
      ok: { status: 200, description: 'The decision and rendered messages', schema: ref('RuleTestResult') },
      errors: [404],
    }),
  },
  '/trigger-settings': {
    get: op({ id: 'getTriggerSettings', tag, summary: 'Daily cap, quiet hours and SMS opt-out line', ok: { status: 200, description: 'The settings (defaults where unset)', schema: ref('TriggerSettings') } }),
    put: op({
      id: 'putTriggerSettings',
      tag,
      summary: 'Change trigger settings (partial: fields left out keep their values)',
      body: { schema: ref('TriggerSettingsInput'), example: exampleTriggerSettings },
      ok: { status: 200, description: 'The settings now in force', schema: ref('TriggerSettings') },
    }),
  },
};
