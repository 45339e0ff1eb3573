import { Router } from 'express';
import { isAppError } from '../../shared/errors.js';
import type { AdminDeps } from '../admin-deps.js';
import { editorView, type EditorContext } from './rule-editor.view.js';
import { fieldErrors, formProblems, type FieldErrors } from './rule-form-errors.js';
import { definitionFrom, formFrom } from './rule-form-mapping.js';
import { emptyForm, readForm, type RuleFormValues } from './rule-form.js';
import { staffOf } from './triggers.pages.js';

const EDITOR_VIEW = 'admin/triggers/rule-edit';

/** The full rule editor: a new rule, or the next version of a saved one, through the rule service the API uses. */
export function ruleEditorPages(deps: AdminDeps): Router {
  const router = Router();
  const { rules } = deps.triggers;

  const context = async (orgId: string): Promise<EditorContext> => {
    const [venues, endpoints, settings] = await Promise.all([deps.services.venues.list(orgId), deps.triggers.webhooks.service.list(orgId), rules.settings.get(orgId)]);
    const withZones = await Promise.all(venues.map(async (v) => ({ ...v, zones: await deps.services.venues.listZones(orgId, v.id) })));
    return { venues: withZones, endpoints, settings };
  };

  /** Saves through `save`; a rule the service refuses comes back with the messages next to its fields and the input kept. */
  const submit = async (orgId: string, form: RuleFormValues, save: (definition: unknown) => Promise<{ id: string }>, rule?: EditorContext['rule']) => {
    try {
      return { saved: await save(definitionFrom(form)) };
    } catch (error) {
      if (!isAppError(error) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'TEMPLATE_INVALID')) throw error;
      const errors: FieldErrors = { ...fieldErrors(error.details?.fields, form), ...formProblems(form) };
      return { view: editorView(form, errors, { ...(await context(orgId)), ...(rule ? { rule } : {}) }) };
    }
  };

  router.get('/rules/new', async (_req, res) => {
    res.render(EDITOR_VIEW, editorView(emptyForm(), {}, await context(staffOf(res).orgId)));
  });

  router.post('/rules', async (req, res) => {
    const { orgId } = staffOf(res);
    const result = await submit(orgId, readForm(req.body), (definition) => rules.service.create(orgId, definition));
    if (result.saved) res.redirect(303, `/admin/rules/${result.saved.id}?done=created`);
    else res.status(400).render(EDITOR_VIEW, result.view);
  });

  router.get('/rules/:id/edit', async (req, res) => {
    const { orgId } = staffOf(res);
    const rule = await rules.service.get(orgId, req.params.id);
    res.render(EDITOR_VIEW, editorView(formFrom(rule.definition), {}, { ...(await context(orgId)), rule }));
  });

  router.post('/rules/:id/edit', async (req, res) => {
    const { orgId } = staffOf(res);
    // Another organisation's id is a 404 before anything is read from the form.
    const rule = await rules.service.get(orgId, req.params.id);
    const result = await submit(orgId, readForm(req.body), (definition) => rules.service.replace(orgId, rule.id, definition), rule);
    if (result.saved) res.redirect(303, `/admin/rules/${rule.id}?done=saved`);
    else res.status(400).render(EDITOR_VIEW, result.view);
  });
  return router;
}
