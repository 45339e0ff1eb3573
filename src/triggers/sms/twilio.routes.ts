import express, { Router, type RequestHandler, type Response } from 'express';
import twilio from 'twilio';
import { refuseLargeBody } from '../../http/api-auth.js';
import { AppError } from '../../shared/errors.js';
import { inboundIntent } from './keywords.js';
import type { SmsService } from './sms.service.js';

const FORM_LIMIT_BYTES = 64 * 1024;

/** An empty TwiML answer: no auto-reply from us (Twilio's own STOP/START confirmations still go out). */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const field = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
};

function twiml(res: Response): void {
  res.type('text/xml').send(EMPTY_TWIML);
}

/**
 * Twilio's callbacks to us (no API key): inbound SMS (STOP/START replies) and
 * delivery status. Every request must carry a valid X-Twilio-Signature over
 * the public URL Twilio called and the form parameters.
 */
export function twilioRoutes(deps: { authToken: string; publicUrl: string; sms: SmsService }): Router {
  const router = Router();
  // Declared sizes over the limit are refused before urlencoded starts, which would drain the whole body first.
  const limit = refuseLargeBody(FORM_LIMIT_BYTES);
  const form = express.urlencoded({ extended: false, limit: FORM_LIMIT_BYTES, parameterLimit: 200 });

  const signed: RequestHandler = (req, _res, next) => {
    const signature = req.get('x-twilio-signature');
    const params = (req.body ?? {}) as Record<string, unknown>;
    // Behind a proxy req.protocol/host may differ from what Twilio called: the configured public URL is what it signed.
    const url = `${deps.publicUrl}${req.originalUrl}`;
    if (!signature || !twilio.validateRequest(deps.authToken, signature, url, params)) throw new AppError('WEBHOOK_SIGNATURE_INVALID');
    next();
  };

  router.post('/webhooks/twilio/inbound', limit, form, signed, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const from = field(body, 'From');
    const intent = inboundIntent(field(body, 'Body') ?? '', field(body, 'OptOutType'));
    if (from !== undefined && intent === 'stop') await deps.sms.stopReply(from);
    if (from !== undefined && intent === 'start') await deps.sms.startReply(from);
    twiml(res);
  });

  router.post('/webhooks/twilio/status', limit, form, signed, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const providerId = field(body, 'MessageSid');
    const status = field(body, 'MessageStatus');
    const errorCode = Number(field(body, 'ErrorCode'));
    const to = field(body, 'To');
    if (providerId && status) {
      await deps.sms.deliveryStatus({ providerId, status, ...(Number.isInteger(errorCode) && errorCode > 0 ? { errorCode } : {}), ...(to ? { to } : {}) });
    }
    twiml(res);
  });
  return router;
}
