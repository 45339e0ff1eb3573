import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../shared/errors.js';
import { requireStaff } from '../../staff/index.js';
import { EndpointTester } from '../../triggers/webhooks/endpoint-test.service.js';
import { DEFAULT_OVERLAP_HOURS } from '../../triggers/webhooks/endpoint.service.js';
import type { AdminDeps } from '../admin-deps.js';
import { emptyEndpointForm, endpointFieldErrors, eventTypeChoices, readEndpointForm, type EndpointFieldErrors, type EndpointFormValues } from './webhook-form.js';
import { endpointRow, stamp, staffOrg, testResultView } from './webhook-view.js';

const NOTICES: Record<string, string> = {
  saved: 'Changes saved.',
  enabled: 'The endpoint is enabled: deliveries go to it again.',
  disabled: 'The endpoint is disabled: no deliveries go to it until you enable it.',
  deleted: 'The endpoint was deleted.',
};
const OVERLAPS = [0, 1, 24, 72, 168];

interface ShowExtras {
  notice?: string;
  form?: EndpointFormValues;
  errors?: EndpointFieldErrors;
  rotated?: { secret: string; overlapHours: number; previousExpires: { iso: string; text: string } };
  test?: ReturnType<typeof testResultView>;
}

const idOf = (req: Request): string => (typeof req.params.id === 'string' ? req.params.id : '');
const notice = (req: Request): string | undefined => (typeof req.query.done === 'string' ? NOTICES[req.query.done] : undefined);
/** Form problems the page shows next to the fields; anything else goes to the error handler. */
function formProblem(error: unknown): EndpointFieldErrors {
  if (isAppError(error) && (error.code === 'VALIDATION_FAILED' || error.code === 'WEBHOOK_URL_FORBIDDEN')) {
    return endpointFieldErrors(error.details?.fields, error.message);
  }
  throw error;
}
/** Pages that show a secret or a receiver's answer are never cached. */
const noStore = (res: Response): Response => res.set('Cache-Control', 'no-store');

/** Webhook endpoints (owners): /admin/webhooks (secret shown once, rotation, test delivery). */
export function webhookPages(deps: AdminDeps): Router {
  const router = Router();
  const endpoints = deps.triggers.webhooks.service;
  const tester = new EndpointTester({ endpoints: deps.triggers.webhooks.endpoints, sender: deps.triggers.webhooks.sender, clock: deps.clock });

  const list = async (res: Response, status: number, form: EndpointFormValues, errors: EndpointFieldErrors, message?: string) => {
    const orgId = staffOrg(res);
    const [items, last] = await Promise.all([endpoints.list(orgId), endpoints.lastResults(orgId)]);
    res.status(status).render('admin/webhooks/list', {
      title: 'Webhooks',
      notice: message,
      endpoints: items.map((e) => endpointRow(e, last.get(e.id))),
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      eventTypes: eventTypeChoices(form.eventTypes),
    });
  };

  /** The endpoint page, with a one-time secret, a test result or the edit form's problems when there are. */
  const show = async (res: Response, id: string, status: number, extra: ShowExtras = {}) => {
    const orgId = staffOrg(res);
    const [endpoint, last] = await Promise.all([endpoints.get(orgId, id), endpoints.lastResults(orgId)]);
    const form = extra.form ?? { url: endpoint.url, description: endpoint.description, eventTypes: endpoint.eventTypes };
    const errors = extra.errors ?? {};
    res.status(status).render('admin/webhooks/show', {
      title: 'Webhook endpoint',
      endpoint: { ...endpointRow(endpoint, last.get(endpoint.id)), created: stamp(endpoint.createdAt) },
      overlaps: OVERLAPS.map((hours) => ({ hours, selected: hours === DEFAULT_OVERLAP_HOURS })),
      notice: extra.notice,
      rotated: extra.rotated,
      test: extra.test,
      form,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      eventTypes: eventTypeChoices(form.eventTypes),
    });
  };

  router.get('/', async (req, res) => {
    await list(res, 200, emptyEndpointForm(), {}, notice(req));
  });

  router.post('/', async (req, res) => {
    const form = readEndpointForm(req.body);
    let created;
    try {
      created = await endpoints.create(staffOrg(res), form);
    } catch (error) {
      await list(res, 400, form, formProblem(error));
      return;
    }
    noStore(res).status(201).render('admin/webhooks/created', { title: 'Webhook endpoint created', endpoint: created.endpoint, secret: created.secret });
  });

  router.get('/:id', async (req, res) => {
    await show(res, idOf(req), 200, { notice: notice(req) });
  });

  router.post('/:id', async (req, res) => {
    const form = readEndpointForm(req.body);
    try {
      await endpoints.update(staffOrg(res), idOf(req), form);
    } catch (error) {
      await show(res, idOf(req), 400, { form, errors: formProblem(error) });
      return;
    }
    res.redirect(303, `/admin/webhooks/${idOf(req)}?done=saved`);
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/:id/${action}`, async (req, res) => {
      await endpoints.update(staffOrg(res), idOf(req), { enabled });
      res.redirect(303, `/admin/webhooks/${idOf(req)}?done=${action}d`);
    });
  }

  router.post('/:id/rotate', async (req, res) => {
    const overlap = Number((req.body as { overlapHours?: unknown } | undefined)?.overlapHours);
    const overlapHours = OVERLAPS.includes(overlap) ? overlap : DEFAULT_OVERLAP_HOURS;
    const rotated = await endpoints.rotateSecret(staffOrg(res), idOf(req), { overlapHours });
    await show(noStore(res), idOf(req), 200, { rotated: { secret: rotated.secret, overlapHours, previousExpires: stamp(rotated.previousExpiresAt) } });
  });

  router.post('/:id/test', async (req, res) => {
    const result = await tester.send(staffOrg(res), idOf(req));
    await show(noStore(res), idOf(req), 200, { test: testResultView(result) });
  });

  router.get('/:id/delete', async (req, res) => {
    const endpoint = await endpoints.get(staffOrg(res), idOf(req));
    res.render('admin/webhooks/delete', { title: 'Delete webhook endpoint', endpoint });
  });

  router.post('/:id/delete', async (req, res) => {
    await endpoints.delete(staffOrg(res), idOf(req));
    res.redirect(303, '/admin/webhooks?done=deleted');
  });

  const pages = Router();
  pages.use('/webhooks', requireStaff('owner'), router);
  return pages;
}
