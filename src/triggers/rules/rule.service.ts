import { z } from 'zod';
import type { Db } from '../../db/pool.js';
import type { Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import { isId, newId } from '../../shared/ids.js';
import { validate } from '../../shared/validate.js';
import { mergePatch } from './merge-patch.js';
import { checkReferences } from './rule-references.js';
import { RuleReferenceRepository, RuleRepository, type RuleVersion } from './rule.repository.js';
import { ruleDefinitionSchema, type Rule, type RuleDefinition } from './rule.schema.js';
import type { RulesVersionNotifier } from './rules-version.js';
import { compileRuleTemplates } from './templates.js';

/** A rule as the API shows it. */
export interface RuleView {
  id: string;
  version: number;
  name: string;
  enabled: boolean;
  definition: RuleDefinition;
  createdAt: Date;
  updatedAt: Date;
}

export interface RuleServiceDeps {
  db: Db;
  clock: Clock;
  /** Tells every process's rule cache about a change; absent: nobody caches (tools, tests). */
  versions?: RulesVersionNotifier | undefined;
}

export const toView = (rule: Rule): RuleView => ({
  id: rule.id,
  version: rule.version,
  name: rule.definition.name,
  enabled: rule.definition.enabled,
  definition: rule.definition,
  createdAt: rule.createdAt,
  updatedAt: rule.updatedAt,
});

const patchBody = z.record(z.string(), z.unknown());

/** Rule CRUD for one organisation at a time; every save is a new version. */
export class RuleService {
  private readonly repo: RuleRepository;
  private readonly refs: RuleReferenceRepository;

  constructor(private readonly deps: RuleServiceDeps) {
    this.repo = new RuleRepository(deps.db);
    this.refs = new RuleReferenceRepository(deps.db);
  }

  async list(orgId: string): Promise<RuleView[]> {
    return (await this.repo.list(orgId)).map(toView);
  }

  /** Enabled rules only, as the engine evaluates them. */
  listEnabled(orgId: string): Promise<Rule[]> {
    return this.repo.list(orgId, { enabledOnly: true });
  }

  async getRule(orgId: string, id: string): Promise<Rule> {
    const rule = isId(id) ? await this.repo.get(orgId, id) : undefined;
    if (!rule) throw notFound('Rule');
    return rule;
  }

  async get(orgId: string, id: string): Promise<RuleView> {
    return toView(await this.getRule(orgId, id));
  }

  /**
   * Validates a definition fully: schema (400 VALIDATION_FAILED), templates
   * (400 TEMPLATE_INVALID naming the action) and the ids it references.
   */
  async prepare(orgId: string, input: unknown, prefix = ''): Promise<RuleDefinition> {
    const definition = validate(ruleDefinitionSchema, input, prefix || undefined);
    compileRuleTemplates(definition, prefix ? `${prefix}.` : '');
    await checkReferences(this.refs, orgId, definition, prefix ? `${prefix}.` : '');
    return definition;
  }

  async create(orgId: string, input: unknown): Promise<RuleView> {
    const definition = await this.prepare(orgId, input);
    const rule = await this.repo.insert({ id: newId(), orgId, definition }, this.deps.clock.now());
    await this.changed(orgId);
    return toView(rule);
  }

  /** PUT: a full definition becomes the next version. */
  async replace(orgId: string, id: string, input: unknown): Promise<RuleView> {
    await this.getRule(orgId, id);
    return this.save(orgId, id, await this.prepare(orgId, input));
  }

  /** PATCH: merged into the current definition (JSON merge patch; `trigger` is replaced whole), then validated. */
  async patch(orgId: string, id: string, patch: unknown): Promise<RuleView> {
    const current = await this.getRule(orgId, id);
    const body = validate(patchBody, patch);
    return this.save(orgId, id, await this.prepare(orgId, mergePatch(current.definition, body, ['trigger'])));
  }

  async setEnabled(orgId: string, id: string, enabled: boolean): Promise<RuleView> {
    const current = await this.getRule(orgId, id);
    if (current.definition.enabled === enabled) return toView(current);
    return this.save(orgId, id, { ...current.definition, enabled });
  }

  async remove(orgId: string, id: string): Promise<void> {
    if (!isId(id) || !(await this.repo.softDelete(orgId, id, this.deps.clock.now()))) throw notFound('Rule');
    await this.changed(orgId);
  }

  async versions(orgId: string, id: string): Promise<RuleVersion[]> {
    await this.getRule(orgId, id);
    return this.repo.versions(orgId, id);
  }

  private async save(orgId: string, id: string, definition: RuleDefinition): Promise<RuleView> {
    const rule = await this.repo.update(orgId, id, definition, this.deps.clock.now());
    if (!rule) throw notFound('Rule');
    await this.changed(orgId);
    return toView(rule);
  }

  private async changed(orgId: string): Promise<void> {
    await this.deps.versions?.bump(orgId);
  }
}
