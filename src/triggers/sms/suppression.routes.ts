import { Router } from 'express';
import { orgOf } from '../../http/api-auth.js';
import { notFound } from '../../shared/errors.js';
import { validate } from '../../shared/validate.js';
import { parsePhone, phoneBodySchema } from '../visitors/visitor.schemas.js';
import type { SmsService } from './sms.service.js';

/** /api/v1/sms-suppressions (behind the API key): an organisation's own do-not-text list. */
export function suppressionRoutes(sms: SmsService): Router {
  const router = Router();
  router.post('/sms-suppressions', async (req, res) => {
    const phone = parsePhone(validate(phoneBodySchema, req.body).phone);
    const { reason, createdAt } = await sms.suppress(orgOf(res.locals), phone);
    res.status(201).json({ phone, reason, createdAt });
  });
  /** Lifts only the organisation's row: a STOP to the shared number stays until the number sends START. */
  router.delete('/sms-suppressions/:phone', async (req, res) => {
    if (!(await sms.unsuppress(orgOf(res.locals), parsePhone(req.params.phone)))) throw notFound('Suppression');
    res.status(204).end();
  });
  return router;
}
