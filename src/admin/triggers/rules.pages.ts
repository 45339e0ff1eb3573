import { Router } from 'express';
import { isAppError } from '../../shared/errors.js';
import { TRIGGER_EVENT_TYPES } from '../../triggers/index.js';
import type { RuleTestResult } from '../../triggers/rules/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { ruleEditorPages } from './rule-editor.pages.js';
import { ruleResultsPages } from './rule-results.pages.js';
import { definitionRows, describeTrigger, traceRows, venueNames } from './rule-view.js';
import { staffOf } from './triggers.pages.js';

/** What the "Test this rule" form posted, kept to re-fill it. */
interface TestForm {
  eventType: string;
  venueId: string;
  visitorId: string;
  dwellMinutes: string;
  daysSinceLastVisit: string;
  /** For the hypothetical visitor: assume they agreed to marketing SMS (a real visitor's consent is looked up). */
  assumeConsent: boolean;
}

const str = (body: Record<string, unknown>, key: string): string => (typeof body[key] === 'string' ? body[key] : '');

function readTestForm(body: unknown): TestForm {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  return { eventType: str(b, 'eventType'), venueId: str(b, 'venueId'), visitorId: str(b, 'visitorId').trim(), dwellMinutes: str(b, 'dwellMinutes').trim(), daysSinceLastVisit: str(b, 'daysSinceLastVisit').trim(), assumeConsent: b.assumeConsent === 'yes' };
}

/** Optional numbers stay strings when not numeric, so the tester's schema reports them. */
const optionalNumber = (value: string): number | string | undefined => (value === '' ? undefined : /^\d+$/.test(value) ? Number(value) : value);

function testRequest(f: TestForm): Record<string, unknown> {
  const event: Record<string, unknown> = { type: f.eventType, venueId: f.venueId };
  if (f.visitorId) event.visitorId = f.visitorId;
  const dwell = optionalNumber(f.dwellMinutes);
  if (dwell !== undefined) event.dwellMinutes = dwell;
  const days = optionalNumber(f.daysSinceLastVisit);
  if (days !== undefined) event.daysSinceLastVisit = days;
  return f.assumeConsent && !f.visitorId ? { event, visitor: { consent: { sms_marketing: true } } } : { event };
}

const outcomeView = (result: RuleTestResult) => ({
  outcome: result.decision.outcome,
  fired: result.decision.outcome === 'fired',
  reason: result.decision.reason,
  trace: traceRows(result.decision.trace),
  sms: result.rendered.sms,
});

const RULE_MESSAGES = new Map([
  ['enabled', 'Rule enabled.'],
  ['disabled', 'Rule disabled.'],
]);

const SAVED_MESSAGES = new Map([
  ['created', 'Rule created.'],
  ['saved', 'Rule saved as a new version.'],
]);

export function rulesPages(deps: AdminDeps): Router {
  const router = Router();
  const { rules } = deps.triggers;
  const venuesOf = (orgId: string) => deps.services.venues.list(orgId);

  router.get('/rules', async (req, res) => {
    const { orgId } = staffOf(res);
    const [list, venues] = await Promise.all([rules.service.list(orgId), venuesOf(orgId)]);
    const rows = list.map((r) => ({ ...r, trigger: describeTrigger(r.definition.trigger), venues: venueNames(r.definition.scope.venueIds, venues), updated: r.updatedAt.toISOString().slice(0, 16).replace('T', ' ') }));
    // A fixed text per code: the query string never puts words of its own on the page.
    const message = RULE_MESSAGES.get(typeof req.query.done === 'string' ? req.query.done : '');
    res.render('admin/triggers/rules', { title: 'Rules', rules: rows, message });
  });

  router.use(ruleEditorPages(deps), ruleResultsPages(deps));

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/rules/:id/${action}`, async (req, res) => {
      await rules.service.setEnabled(staffOf(res).orgId, req.params.id, enabled);
      res.redirect(303, `/admin/rules?done=${enabled ? 'enabled' : 'disabled'}`);
    });
  }

  const renderRule = async (orgId: string, id: string, extra: Record<string, unknown>) => {
    const [rule, venues] = await Promise.all([rules.service.get(orgId, id), venuesOf(orgId)]);
    const form = (extra.form as TestForm | undefined) ?? { eventType: rule.definition.trigger.type === 'custom' ? 'custom' : rule.definition.trigger.type, venueId: '', visitorId: '', dwellMinutes: '', daysSinceLastVisit: '', assumeConsent: true };
    return {
      title: rule.name,
      rule,
      rows: definitionRows(rule.definition, venues),
      eventTypes: TRIGGER_EVENT_TYPES.map((t) => ({ value: t, selected: t === form.eventType })),
      venues: venues.map((v) => ({ id: v.id, name: v.name, selected: v.id === form.venueId })),
      ...extra,
      form,
    };
  };

  router.get('/rules/:id', async (req, res) => {
    // A fixed text per code: the query string never puts words of its own on the page.
    const message = SAVED_MESSAGES.get(typeof req.query.done === 'string' ? req.query.done : '');
    res.render('admin/triggers/rule', await renderRule(staffOf(res).orgId, req.params.id, { message }));
  });

  router.post('/rules/:id/test', async (req, res) => {
    const { orgId } = staffOf(res);
    const form = readTestForm(req.body);
    try {
      const result = await rules.tester.testSaved(orgId, req.params.id, testRequest(form));
      res.render('admin/triggers/rule', await renderRule(orgId, req.params.id, { form, result: outcomeView(result) }));
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      res.status(400).render('admin/triggers/rule', await renderRule(orgId, req.params.id, { form, testError: error.message }));
    }
  });
  return router;
}
