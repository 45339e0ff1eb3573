import { Router, type Response } from 'express';
import { isAppError, type FieldProblem } from '../../shared/errors.js';
import type { AdminDeps } from '../admin-deps.js';
import {
  consentErrors,
  messagesErrors,
  messagesPatch,
  portalErrors,
  portalFormProblems,
  portalInput,
  readConsentForm,
  readMessagesForm,
  readPortalForm,
} from './settings-form.js';
import { settingsModel, type SettingsPageState } from './settings-view.js';
import { ownerOf } from './staff-context.js';

const SAVED: Record<string, string> = {
  portal: 'Portal settings saved.',
  consent: 'Consent version saved: new consents are recorded under it.',
  messages: 'Marketing message settings saved.',
};

/** The field problems of a failed save; any other error is the error handler's. */
function validationFields(error: unknown): FieldProblem[] | undefined {
  if (isAppError(error) && error.code === 'VALIDATION_FAILED') return error.details?.fields;
  throw error;
}

/** /admin/settings: portal, consent and marketing message settings, one POST form per section. */
export function settingsPages(deps: AdminDeps): Router {
  const router = Router();
  const portalSettings = deps.portal.settings;
  const triggerSettings = deps.triggers.rules.settings;

  const show = async (res: Response, status: number, state: SettingsPageState): Promise<void> => {
    res.status(status).render('admin/setup/settings', await settingsModel(deps, ownerOf(res).orgId, state));
  };
  const saved = (res: Response, section: string): void => res.redirect(303, `/admin/settings?saved=${section}`);

  router.get('/settings', async (req, res) => {
    await show(res, 200, { notice: typeof req.query.saved === 'string' ? SAVED[req.query.saved] : undefined });
  });

  router.post('/settings/portal', async (req, res) => {
    const { orgId } = ownerOf(res);
    const values = readPortalForm(req.body);
    // The CRM secret is never shown again, not even the one just typed.
    const typed = { ...values, crmSecret: '' };
    const clash = portalFormProblems(values);
    if (clash) {
      await show(res, 400, { portal: { values: typed, errors: clash } });
      return;
    }
    try {
      // PUT semantics: the stored document with this form's fields replaced (consentVersion and future fields kept).
      await portalSettings.putOrg(orgId, portalInput((await portalSettings.org(orgId)).settings, values));
    } catch (error) {
      await show(res, 400, { portal: { values: typed, errors: portalErrors(validationFields(error), values) } });
      return;
    }
    saved(res, 'portal');
  });

  router.post('/settings/consent', async (req, res) => {
    const { orgId } = ownerOf(res);
    const values = readConsentForm(req.body);
    try {
      const { settings } = await portalSettings.org(orgId);
      await portalSettings.putOrg(orgId, { ...settings, consentVersion: values.consentVersion });
    } catch (error) {
      await show(res, 400, { consent: { values, errors: consentErrors(validationFields(error)) } });
      return;
    }
    saved(res, 'consent');
  });

  router.post('/settings/messages', async (req, res) => {
    const values = readMessagesForm(req.body);
    try {
      await triggerSettings.update(ownerOf(res).orgId, messagesPatch(values));
    } catch (error) {
      await show(res, 400, { messages: { values, errors: messagesErrors(validationFields(error)) } });
      return;
    }
    saved(res, 'messages');
  });
  return router;
}
