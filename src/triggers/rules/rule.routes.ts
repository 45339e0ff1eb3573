import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import type { RuleTester } from './rule-test.service.js';
import type { RuleService } from './rule.service.js';
import type { TriggerSettingsService } from './trigger-settings.service.js';

/** /api/v1 rules, their versions and dry runs, and the organisation's trigger settings. Behind requireApiKey. */
export function ruleRoutes(deps: { rules: RuleService; tester: RuleTester; settings: TriggerSettingsService }): Router {
  const { rules, tester, settings } = deps;
  const router = Router();
  router.get('/rules', async (_req, res) => {
    res.json({ items: await rules.list(orgOf(res.locals)) });
  });
  router.post('/rules', async (req, res) => {
    res.status(201).json(await rules.create(orgOf(res.locals), req.body));
  });
  router.post('/rules/test', async (req, res) => {
    res.json(await tester.testDraft(orgOf(res.locals), req.body));
  });
  router.get('/rules/:id', async (req, res) => {
    res.json(await rules.get(orgOf(res.locals), req.params.id));
  });
  router.put('/rules/:id', async (req, res) => {
    res.json(await rules.replace(orgOf(res.locals), req.params.id, req.body));
  });
  router.patch('/rules/:id', async (req, res) => {
    res.json(await rules.patch(orgOf(res.locals), req.params.id, req.body));
  });
  router.delete('/rules/:id', async (req, res) => {
    await rules.remove(orgOf(res.locals), req.params.id);
    res.status(204).end();
  });
  router.get('/rules/:id/versions', async (req, res) => {
    res.json({ items: await rules.versions(orgOf(res.locals), req.params.id) });
  });
  router.post('/rules/:id/test', async (req, res) => {
    res.json(await tester.testSaved(orgOf(res.locals), req.params.id, req.body));
  });
  router.get('/trigger-settings', async (_req, res) => {
    res.json(await settings.get(orgOf(res.locals)));
  });
  router.put('/trigger-settings', async (req, res) => {
    res.json(await settings.update(orgOf(res.locals), req.body));
  });
  return router;
}
