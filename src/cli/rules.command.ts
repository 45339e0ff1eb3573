import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createRedisFactory } from '../queue/connection.js';
import { systemClock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { isId } from '../shared/ids.js';
import { resolveSecretKey } from '../shared/secret-key.js';
import { createPhoneHasher } from '../triggers/phone-hash.js';
import { redisRulesVersion, RuleService, RuleTester, TriggerSettingsService, type RuleView } from '../triggers/rules/index.js';
import { withDatabase } from './context.js';
import { print, type OutputOptions } from './output.js';

interface RulesOptions extends OutputOptions {
  org: string;
  file?: string;
  event?: string;
  now?: string;
  visitor?: string;
  history?: string;
}

interface RulesContext {
  rules: RuleService;
  tester: RuleTester;
}

/**
 * Services for one command. Commands that change rules also open Redis, to
 * bump the organisation's rules version: running workers then reload at once.
 */
function withRules<T>(orgId: string, notify: boolean, work: (context: RulesContext) => Promise<T>): Promise<T> {
  if (!isId(orgId)) return Promise.reject(new AppError('VALIDATION_FAILED', '--org must be an organisation id (UUID)'));
  return withDatabase(async ({ config, db, logger, services }) => {
    await services.organisations.getOrganisation(orgId);
    const redis = notify ? createRedisFactory(config.redis.url) : undefined;
    try {
      const versions = redis ? redisRulesVersion(redis.create('client'), config.queue.prefix) : undefined;
      const rules = new RuleService({ db, clock: systemClock, versions });
      const settings = new TriggerSettingsService({ db, clock: systemClock, versions });
      const hashPhone = createPhoneHasher(resolveSecretKey(config, logger));
      return await work({ rules, tester: new RuleTester({ db, clock: systemClock, rules, settings, hashPhone }) });
    } finally {
      await redis?.closeAll();
    }
  });
}

function readJsonFile(path: string | undefined, flag: string): unknown {
  if (path === undefined) throw new AppError('VALIDATION_FAILED', `${flag} is required`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
  return parseJson(text, `${flag} ${path}`);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

const optionalJson = (text: string | undefined, flag: string): unknown => (text === undefined ? undefined : parseJson(text, flag));

const summary = (rule: RuleView): Record<string, unknown> => ({
  id: rule.id,
  name: rule.name,
  enabled: rule.enabled,
  version: rule.version,
  trigger: rule.definition.trigger.type,
  updatedAt: rule.updatedAt,
});

function printRule(options: OutputOptions, rule: RuleView): void {
  if (options.json) print(options, { ...rule });
  else print(options, { ...summary(rule), definition: rule.definition });
}

function printList(options: OutputOptions, rules: RuleView[]): void {
  if (options.json) {
    print(options, { items: rules });
    return;
  }
  if (rules.length === 0) process.stdout.write('no rules\n');
  for (const r of rules) process.stdout.write(`${r.id}  v${r.version}  ${r.enabled ? 'enabled ' : 'disabled'}  ${r.definition.trigger.type}  ${r.name}\n`);
}

const withOrg = (command: Command): Command => command.requiredOption('--org <orgId>', 'organisation id').option('--json', 'print JSON');

/** `passby rules ...`: the same operations as /api/v1/rules, for scripts and operators. */
export function registerRulesCommand(program: Command): void {
  const rules = program.command('rules').description('marketing trigger rules (JSON definitions, as in the API)');
  registerReading(rules);
  registerChanges(rules);
  registerTest(rules);
}

function registerReading(rules: Command): void {
  withOrg(rules.command('list').description("list an organisation's rules")).action((o: RulesOptions) =>
    withRules(o.org, false, async ({ rules: service }) => printList(o, await service.list(o.org))),
  );
  withOrg(rules.command('show').description('show a rule and its definition').argument('<ruleId>', 'rule id')).action((id: string, o: RulesOptions) =>
    withRules(o.org, false, async ({ rules: service }) => printRule(o, await service.get(o.org, id))),
  );
}

function registerChanges(rules: Command): void {
  withOrg(rules.command('create').description('create a rule from a JSON definition file').requiredOption('--file <path>', 'rule definition (JSON)')).action(
    (o: RulesOptions) => withRules(o.org, true, async ({ rules: service }) => printRule(o, await service.create(o.org, readJsonFile(o.file, '--file')))),
  );
  withOrg(
    rules.command('update').description('replace a rule with a JSON definition file (a new version)').argument('<ruleId>', 'rule id').requiredOption('--file <path>', 'rule definition (JSON)'),
  ).action((id: string, o: RulesOptions) => withRules(o.org, true, async ({ rules: service }) => printRule(o, await service.replace(o.org, id, readJsonFile(o.file, '--file')))));
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    withOrg(rules.command(name).description(`${name} a rule`).argument('<ruleId>', 'rule id')).action((id: string, o: RulesOptions) =>
      withRules(o.org, true, async ({ rules: service }) => printRule(o, await service.setEnabled(o.org, id, enabled))),
    );
  }
  withOrg(rules.command('delete').description('delete a rule (kept for the decision log, never evaluated again)').argument('<ruleId>', 'rule id')).action(
    (id: string, o: RulesOptions) =>
      withRules(o.org, true, async ({ rules: service }) => {
        await service.remove(o.org, id);
        print(o, { deleted: id });
      }),
  );
}

function registerTest(rules: Command): void {
  withOrg(
    rules
      .command('test')
      .description('dry-run a rule against an event: the decision, its trace and the rendered messages; nothing is sent or recorded')
      .argument('<ruleId>', 'rule id')
      .requiredOption('--event <json>', 'event, e.g. \'{"type":"presence.entered","venueId":"...","visitorId":"..."}\'')
      .option('--now <iso>', 'evaluation time (default: now)')
      .option('--visitor <json>', 'visitor facts overriding the stored ones')
      .option('--history <json>', '{"lastFiredAt":..., "firedToday":n}'),
  ).action((id: string, o: RulesOptions) =>
    withRules(o.org, false, async ({ tester }) => {
      const body = { event: optionalJson(o.event, '--event'), now: o.now, visitor: optionalJson(o.visitor, '--visitor'), history: optionalJson(o.history, '--history') };
      print(o, { ...(await tester.testSaved(o.org, id, body)) });
    }),
  );
}
