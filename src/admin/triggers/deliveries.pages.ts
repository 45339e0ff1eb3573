import { Router } from 'express';
import { isAppError } from '../../shared/errors.js';
import type { DeliverySummary } from '../../triggers/engine/log.service.js';
import type { AdminDeps } from '../admin-deps.js';
import { staffOf } from './triggers.pages.js';

const STATUSES = ['pending', 'held', 'delivered', 'failed', 'suppressed'] as const;
const CHANNELS = ['webhook', 'sms'] as const;
// What the engine accepts for replay: failed, or suppressed because the endpoint was disabled.
const replayable = (d: DeliverySummary): boolean => d.status === 'failed' || (d.status === 'suppressed' && d.reason === 'endpoint_disabled');

const DELIVERY_MESSAGES = new Map([
  ['replayed', 'Delivery queued again.'],
  ['not-replayable', 'That delivery cannot be replayed.'],
]);

const param = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The delivery log, newest first, filtered by status, channel and rule. */
export function deliveriesPages(deps: AdminDeps): Router {
  const router = Router();
  const log = deps.triggers.engine.log;

  router.get('/deliveries', async (req, res) => {
    const { orgId } = staffOf(res);
    const filter = { status: param(req.query.status), channel: param(req.query.channel), ruleId: param(req.query.ruleId) };
    const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== ''));
    const ruleList = await deps.triggers.rules.service.list(orgId);
    const names = new Map(ruleList.map((r) => [r.id, r.name]));
    let items: DeliverySummary[] = [];
    let filterError: string | undefined;
    try {
      items = (await log.deliveries(orgId, { ...query, limit: 100 })).items;
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      filterError = 'Those filters are not valid.';
    }
    // A fixed text per code: the query string never puts words of its own on the page.
    const message = DELIVERY_MESSAGES.get(param(req.query.done));
    res.status(filterError ? 400 : 200).render('admin/triggers/deliveries', {
      title: 'Delivery log',
      filterError,
      message,
      statuses: STATUSES.map((s) => ({ value: s, selected: s === filter.status })),
      channels: CHANNELS.map((c) => ({ value: c, selected: c === filter.channel })),
      rules: ruleList.map((r) => ({ id: r.id, name: r.name, selected: r.id === filter.ruleId })),
      deliveries: items.map((d) => ({
        ...d,
        time: d.createdAt.toISOString().slice(0, 19).replace('T', ' '),
        ruleName: names.get(d.ruleId) ?? 'Deleted rule',
        replayable: replayable(d),
      })),
    });
  });

  router.post('/deliveries/:id/replay', async (req, res) => {
    let done = 'replayed';
    try {
      await log.replay(staffOf(res).orgId, req.params.id);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'DELIVERY_NOT_REPLAYABLE') throw error;
      done = 'not-replayable';
    }
    res.redirect(303, `/admin/deliveries?done=${done}`);
  });
  return router;
}
