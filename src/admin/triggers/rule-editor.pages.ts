import { Router } from 'express';
import { isAppError } from '../../shared/errors.js';
import type { AdminDeps } from '../admin-deps.js';
import { definitionFrom, EDITOR_TRIGGERS, emptyForm, fieldErrors, readForm, type FieldErrors, type RuleFormValues } from './rule-form.js';
import { staffOf } from './triggers.pages.js';

const TRIGGER_LABELS: Record<(typeof EDITOR_TRIGGERS)[number], string> = {
  'presence.entered': 'Entered the venue',
  'presence.dwell': 'Stayed a number of minutes',
  'presence.returned': 'Came back after a number of days',
  'presence.left': 'Left the venue',
  'presence.passed_by': 'Passed by',
  'portal.login': 'Logged in to the Wi-Fi',
  'visit.first': 'First visit',
};

/** The simple rule editor: the common fields only; everything else takes the schema's defaults. */
export function ruleEditorPages(deps: AdminDeps): Router {
  const router = Router();
  const { rules } = deps.triggers;

  const render = async (orgId: string, form: RuleFormValues, errors: FieldErrors) => {
    const venues = await deps.services.venues.list(orgId);
    return {
      title: 'New rule',
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      triggers: EDITOR_TRIGGERS.map((value) => ({ value, label: TRIGGER_LABELS[value], selected: value === form.triggerType })),
      venues: venues.map((v) => ({ id: v.id, name: v.name, selected: v.id === form.venueId })),
      quietModes: [
        { value: 'hold', label: 'Hold until quiet hours end', selected: form.quietMode !== 'drop' },
        { value: 'drop', label: 'Do not send', selected: form.quietMode === 'drop' },
      ],
    };
  };

  router.get('/rules/new', async (_req, res) => {
    res.render('admin/triggers/rule-new', await render(staffOf(res).orgId, emptyForm(), {}));
  });

  router.post('/rules', async (req, res) => {
    const { orgId } = staffOf(res);
    const form = readForm(req.body);
    try {
      const rule = await rules.service.create(orgId, definitionFrom(form));
      res.redirect(303, `/admin/rules/${rule.id}`);
    } catch (error) {
      if (!isAppError(error) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'TEMPLATE_INVALID')) throw error;
      res.status(400).render('admin/triggers/rule-new', await render(orgId, form, fieldErrors(error.details?.fields)));
    }
  });
  return router;
}
