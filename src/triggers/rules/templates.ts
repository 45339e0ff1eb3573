import Handlebars from 'handlebars';
import { AppError, type FieldProblem } from '../../shared/errors.js';
import { compilePayload, renderPayload, type CompileLeaf, type PayloadNode, type Render } from './payload-template.js';
import type { Rule, RuleDefinition } from './rule.schema.js';
import type { TemplateContext } from './template-context.js';

/**
 * Message and payload templates: Handlebars on an instance of our own, plain
 * text (no HTML escaping: an SMS is not a web page), only the built-in block
 * helpers plus `default`, no partials, and no prototype access at runtime.
 * Problems are found when a rule is saved, not when a visitor walks in.
 */
const hbs = Handlebars.create();
hbs.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value));
// The built-in {{log}} would write visitor data to the process output.
hbs.registerHelper('log', () => '');

const COMPILE = { noEscape: true, strict: false, knownHelpersOnly: true, knownHelpers: { default: true } };
const RUNTIME: Handlebars.RuntimeOptions = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };
/** Twilio's limit for one message body (the opt-out line comes on top, so leave room). */
export const SMS_MAX_CHARS = 1400;
const PARTIALS_OR_DECORATORS = /\{\{~?\s*#?\s*[>*]/;

/** Why a template cannot be used, or undefined when it can. */
export function templateProblem(source: string): string | undefined {
  if (PARTIALS_OR_DECORATORS.test(source)) return 'partials and decorators are not available in templates';
  try {
    hbs.precompile(source, COMPILE);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.replace(/\s+/g, ' ').trim() : String(error);
  }
}

const compileLeaf: CompileLeaf = (source) => {
  const problem = templateProblem(source);
  if (problem) return { problem };
  const fn = hbs.compile(source, COMPILE);
  return { render: (context) => fn(context, RUNTIME) };
};

const invalid = (problems: FieldProblem[]): AppError =>
  new AppError('TEMPLATE_INVALID', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { fields: problems });

export interface CompiledRuleTemplates {
  /** SMS action `index` rendered (without the opt-out line, which the sender appends). */
  sms(index: number, context: TemplateContext): string;
  /** Webhook action `index`'s `data.custom`, or undefined when it has no payloadTemplate. */
  webhookData(index: number, context: TemplateContext): Record<string, unknown> | undefined;
}

/** Compiles every template of a rule; TEMPLATE_INVALID names each bad one (`actions.N.template`, after `pathPrefix`). */
export function compileRuleTemplates(definition: Pick<RuleDefinition, 'actions'>, pathPrefix = ''): CompiledRuleTemplates {
  const problems: FieldProblem[] = [];
  const sms = new Map<number, Render>();
  const payloads = new Map<number, PayloadNode>();
  definition.actions.forEach((action, index) => {
    if (action.type === 'sms') {
      const compiled = compileLeaf(action.template);
      if ('problem' in compiled) problems.push({ path: `${pathPrefix}actions.${index}.template`, message: compiled.problem });
      else sms.set(index, compiled.render);
    } else if (action.payloadTemplate) {
      payloads.set(index, compilePayload(action.payloadTemplate, `${pathPrefix}actions.${index}.payloadTemplate`, compileLeaf, problems));
    }
  });
  if (problems.length > 0) throw invalid(problems);
  return {
    sms: (index, context) => clipSms(sms.get(index)?.(context) ?? ''),
    webhookData: (index, context) => {
      const node = payloads.get(index);
      return node ? renderPayload(node, context) : undefined;
    },
  };
}

const clipSms = (text: string): string => text.trim().slice(0, SMS_MAX_CHARS);

const byRuleVersion = new Map<string, CompiledRuleTemplates>();
const CACHE_LIMIT = 2000;

/** A rule's compiled templates, cached per (rule id, version): a saved version never changes. */
export function templatesFor(rule: Pick<Rule, 'id' | 'version' | 'definition'>): CompiledRuleTemplates {
  const key = `${rule.id}:${rule.version}`;
  let templates = byRuleVersion.get(key);
  if (!templates) {
    templates = compileRuleTemplates(rule.definition);
    // Versions only accumulate; starting over now and then keeps the cache bounded.
    if (byRuleVersion.size >= CACHE_LIMIT) byRuleVersion.clear();
    byRuleVersion.set(key, templates);
  }
  return templates;
}

/** One SMS template rendered (uncached: previews and one-offs). */
export function renderSms(template: string, context: TemplateContext): string {
  const compiled = compileLeaf(template);
  if ('problem' in compiled) throw invalid([{ path: 'template', message: compiled.problem }]);
  return clipSms(compiled.render(context));
}

/** A payloadTemplate rendered: string leaves are templates, everything else is copied. */
export function renderWebhookData(payloadTemplate: Record<string, unknown>, context: TemplateContext): Record<string, unknown> {
  const problems: FieldProblem[] = [];
  const node = compilePayload(payloadTemplate, 'payloadTemplate', compileLeaf, problems);
  if (problems.length > 0) throw invalid(problems);
  return renderPayload(node, context);
}
