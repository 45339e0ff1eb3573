import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../shared/errors.js';
import { requireStaff } from '../../staff/index.js';
import { parsePhone } from '../../triggers/visitors/visitor.schemas.js';
import type { AdminDeps } from '../admin-deps.js';
import { staffOrg, visitorPageModel } from './visitor-page.js';

/** Personal data: owners and marketers only (analysts work with aggregates). */
const staffOnly = requireStaff('owner', 'marketer');

/** The field's own message for a bad number; anything else is the error handler's business. */
function phoneProblem(error: unknown): string {
  if (isAppError(error) && error.code === 'VALIDATION_FAILED') {
    return error.details?.fields?.find((f) => f.path === 'phone')?.message ?? error.message;
  }
  throw error;
}

const phoneOf = (body: unknown): unknown => (typeof body === 'object' && body !== null && 'phone' in body ? body.phone : undefined);
const phoneText = (body: unknown): string => {
  const phone = phoneOf(body);
  return typeof phone === 'string' ? phone : '';
};
/** A route parameter as a string (a malformed id simply finds nothing). */
const idOf = (req: Request): string => {
  const id: unknown = req.params.id;
  return typeof id === 'string' ? id : '';
};

const ERASED_NOTICE = 'The visitor was erased. A standing SMS withdrawal stays on the suppression list.';
const SUPPRESSION_NOTICES: Record<string, string> = {
  added: 'The number is on your suppression list: no SMS will be sent to it.',
  removed: 'The number was removed from your suppression list.',
};

/** /admin/visitors (lookup, visitor page, export, erasure) and /admin/suppressions. */
export function visitorsPages(deps: AdminDeps): Router {
  const router = Router();
  const visitors = deps.triggers.sms.visitors;
  const log = deps.triggers.engine.log;

  const lookup = (res: Response, status: number, view: Record<string, unknown>): void => {
    res.status(status).render('admin/visitors/lookup', { title: 'Visitors', ...view });
  };

  router.get('/visitors', staffOnly, async (req, res) => {
    const phone = req.query.phone;
    if (phone === undefined) {
      lookup(res, 200, { notice: req.query.erased === '1' ? ERASED_NOTICE : undefined });
      return;
    }
    const shown = typeof phone === 'string' ? phone : '';
    try {
      const visitor = await visitors.byPhone(staffOrg(res), phone);
      res.redirect(303, `/admin/visitors/${visitor.id}`);
    } catch (error) {
      if (isAppError(error) && error.code === 'NOT_FOUND') lookup(res, 404, { phone: shown, phoneError: 'No visitor with this number.' });
      else lookup(res, 400, { phone: shown, phoneError: phoneProblem(error) });
    }
  });

  router.get('/visitors/:id', staffOnly, async (req, res) => {
    const model = await visitorPageModel(deps, log, staffOrg(res), idOf(req));
    res.render('admin/visitors/show', { title: 'Visitor', ...model });
  });

  router.get('/visitors/:id/export', staffOnly, async (req, res) => {
    const data = await visitors.export(staffOrg(res), idOf(req));
    res.set('Cache-Control', 'no-store').attachment(`visitor-${idOf(req)}.json`).type('application/json');
    res.send(JSON.stringify(data, null, 2));
  });

  router.get('/visitors/:id/erase', staffOnly, async (req, res) => {
    const visitor = await visitors.get(staffOrg(res), idOf(req));
    res.render('admin/visitors/erase', { title: 'Erase visitor', visitor });
  });

  router.post('/visitors/:id/erase', staffOnly, async (req, res) => {
    await visitors.erase(staffOrg(res), idOf(req));
    res.redirect(303, '/admin/visitors?erased=1');
  });

  router.use('/suppressions', staffOnly, suppressionPages(deps));
  return router;
}

/** The organisation's SMS suppression list: the services offer add and remove per number, not a listing. */
function suppressionPages(deps: AdminDeps): Router {
  const router = Router();
  const sms = deps.triggers.sms.service;
  const render = (res: Response, status: number, view: Record<string, unknown>): void => {
    res.status(status).render('admin/visitors/suppressions', { title: 'SMS suppressions', ...view });
  };

  router.get('/', (req, res) => {
    const done = typeof req.query.done === 'string' ? req.query.done : '';
    render(res, 200, { notice: SUPPRESSION_NOTICES[done] });
  });

  router.post('/', async (req, res) => {
    let phone: string;
    try {
      phone = parsePhone(phoneOf(req.body));
    } catch (error) {
      render(res, 400, { add: { phone: phoneText(req.body), error: phoneProblem(error) } });
      return;
    }
    await sms.suppress(staffOrg(res), phone);
    res.redirect(303, '/admin/suppressions?done=added');
  });

  router.post('/remove', async (req, res) => {
    const input = phoneText(req.body);
    let phone: string;
    try {
      phone = parsePhone(phoneOf(req.body));
    } catch (error) {
      render(res, 400, { remove: { phone: input, error: phoneProblem(error) } });
      return;
    }
    if (!(await sms.unsuppress(staffOrg(res), phone))) {
      // A STOP to the shared number is global and only a START from the phone lifts it.
      render(res, 404, { remove: { phone: input, error: 'Your organisation has not suppressed this number (a STOP reply can only be lifted by the phone sending START).' } });
      return;
    }
    res.redirect(303, '/admin/suppressions?done=removed');
  });
  return router;
}
