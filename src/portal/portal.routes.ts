import { timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { AppError, ERRORS, isAppError } from '../shared/errors.js';
import type { FlowState } from './flow.store.js';
import { format, isLanguage, messages, pickLanguage, type Language } from './i18n.js';
import { presentError, presentStart, presentStep, type PageContext } from './portal.presenter.js';
import type { PortalService } from './portal.service.js';
import type { PortalSettingsService } from './settings.service.js';
import type { Next, SignInService } from './sign-in.service.js';
import type { VerifierFactory } from './verification/factory.js';

/** Marketing preferences a returning visitor can change on the welcome-back page (the trigger engine's SMS part). */
export interface MarketingPreferences {
  /** Withdraws SMS marketing for the visitor bound to the device; false when none is bound any more. */
  stopMarketing(device: { orgId: string; venueId: string; gatewayId: string; deviceHash: string }): Promise<boolean>;
}

export interface PortalRouteDeps {
  portal: PortalService;
  signIn: SignInService;
  settings: PortalSettingsService;
  verifiers: VerifierFactory;
  /** Without it, "stop marketing messages" is not offered a route (404). */
  marketing?: MarketingPreferences;
}

/** Errors the visitor can fix on the same page: shown inline instead of an error page. */
const INLINE = new Set<string>([
  'PHONE_INVALID', 'PHONE_NOT_ALLOWED', 'PHONE_LANDLINE', 'CODE_INVALID', 'CODE_EXPIRED', 'SMS_LIMIT_REACHED', 'SMS_BUDGET_EXHAUSTED',
  'SMS_UNAVAILABLE', 'GATEWAY_UNAVAILABLE', 'GATEWAY_REJECTED', 'CSRF_FAILED', 'RATE_LIMITED', 'VALIDATION_FAILED',
]);

const text = (value: unknown, max = 200): string | undefined => (typeof value === 'string' ? value.trim().slice(0, max) : undefined);

function languageOf(req: Request): Language {
  return isLanguage(req.query.lang) ? req.query.lang : pickLanguage(req.get('accept-language'));
}

/**
 * The visitor-facing captive portal: server-rendered, no JavaScript, every
 * POST answered with a redirect (PRG) or the same page with an inline error.
 */
export function portalRoutes(deps: PortalRouteDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

  router.use('/portal', (_req, res, next) => {
    // Forms may be followed by a redirect to the gateway (http://<gateway>/...): form-action must allow it.
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'self' http: https:; base-uri 'none'; frame-ancestors 'none'");
    res.set('Cache-Control', 'no-store');
    next();
  });

  const render = async (res: Response, flow: FlowState, extra: Omit<PageContext, 'flow' | 'venueName' | 'venue'> = {}, status = 200) => {
    const venue = await deps.settings.venueWithName(flow.orgId, flow.venueId);
    const devCode = flow.step === 'code' && flow.phone ? await deps.verifiers.devCodeFor(flow.phone) : undefined;
    const { view, model } = presentStep({ flow, venueName: venue.name, venue: venue.settings, ...extra, ...(devCode ? { devCode } : {}) });
    res.status(status).render(view, model);
  };

  const land = (kind: 'opennds' | 'omada') => async (req: Request<{ gatewayId: string }>, res: Response) => {
    const flow = await deps.portal.land(req.params.gatewayId, kind, req.query, { language: languageOf(req), ip: req.ip });
    await render(res, flow);
  };
  router.get('/portal/opennds/:gatewayId', land('opennds'));
  router.get('/portal/omada/:gatewayId', land('omada'));

  /** RFC 8908 `user-portal-url`: sign-in starts from the gateway's redirect, so this page says how. */
  router.get('/portal/g/:gatewayId', async (req, res) => {
    const { orgId, venueId } = await deps.portal.venueOf(req.params.gatewayId);
    const venue = await deps.settings.venueWithName(orgId, venueId);
    res.render('portal/start', presentStart(languageOf(req), venue.name, venue.settings));
  });

  router.get('/portal/f/:flowId', async (req, res) => {
    const flow = await deps.portal.load(req.params.flowId);
    if (isLanguage(req.query.lang)) await deps.portal.setLanguage(flow, req.query.lang);
    const current = await deps.signIn.refresh(flow);
    if (current.step === 'online' && current.continueUrl && req.query.lang === undefined) {
      res.redirect(303, current.continueUrl);
      return;
    }
    await render(res, current);
  });

  /** Loads the flow, checks its CSRF token, runs the step, and answers PRG-style or inline. */
  const step = (action: (flow: FlowState, req: Request) => Promise<Next | undefined>) => async (req: Request<{ flowId: string }>, res: Response) => {
    const flow = await deps.portal.load(req.params.flowId);
    const body = req.body as Record<string, unknown> | undefined;
    try {
      const sent = Buffer.from(text(body?._csrf) ?? '');
      const expected = Buffer.from(flow.csrf);
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new AppError('CSRF_FAILED');
      const next = await action(flow, req);
      res.redirect(303, next?.kind === 'redirect' ? next.url : `/portal/f/${flow.id}`);
    } catch (error) {
      if (!isAppError(error) || !INLINE.has(error.code)) throw error;
      const typedPhone = flow.step === 'phone' ? text(body?.phone, 32) : undefined;
      await render(res, flow, { error: { code: error.code, ...(error.details ? { details: error.details } : {}) }, ...(typedPhone ? { typedPhone } : {}) }, ERRORS[error.code].status);
    }
  };

  router.post('/portal/f/:flowId/phone', form, step(async (flow, req) => {
    await deps.portal.submitPhone(flow, (req.body as Record<string, unknown>).phone, req.ip);
    return undefined;
  }));
  router.post('/portal/f/:flowId/resend', form, step(async (flow, req) => {
    await deps.portal.resend(flow, req.ip);
    return undefined;
  }));
  router.post('/portal/f/:flowId/change-number', form, step(async (flow) => {
    await deps.portal.changeNumber(flow);
    return undefined;
  }));
  router.post('/portal/f/:flowId/code', form, step(async (flow, req) => {
    await deps.portal.submitCode(flow, (req.body as Record<string, unknown>).code);
    return undefined;
  }));
  router.post(
    '/portal/f/:flowId/consent',
    form,
    step((flow, req) => {
      const body = req.body as Record<string, unknown>;
      return deps.signIn.submitConsent(flow, { terms: body.terms === 'yes', smsMarketing: body.smsMarketing === 'yes', crmSharing: body.crmSharing === 'yes' });
    }),
  );
  router.post(
    '/portal/f/:flowId/loyalty',
    form,
    step((flow, req) => {
      const body = req.body as Record<string, unknown>;
      if (body.action !== 'join') return deps.signIn.submitLoyalty(flow, undefined);
      const birthday = text(body.birthday, 10);
      const gender = text(body.gender, 20);
      return deps.signIn.submitLoyalty(flow, {
        ...(text(body.name, 100) ? { name: text(body.name, 100) } : {}),
        ...(birthday && /^\d{4}-\d{2}-\d{2}$/.test(birthday) ? { birthday } : {}),
        ...(gender && ['female', 'male', 'other'].includes(gender) ? { gender } : {}),
      });
    }),
  );
  router.post('/portal/f/:flowId/connect', form, step((flow) => deps.signIn.connectReturning(flow, (f) => deps.portal.recognise(f))));
  router.post('/portal/f/:flowId/not-me', form, step(async (flow) => {
    await deps.signIn.notMe(flow);
    return undefined;
  }));

  /** A returning visitor withdraws SMS marketing; the same page confirms it (no redirect: the confirmation is the page). */
  router.post('/portal/f/:flowId/stop-marketing', form, async (req: Request<{ flowId: string }>, res: Response) => {
    const { marketing } = deps;
    const flow = await deps.portal.load(req.params.flowId);
    if (!marketing) throw new AppError('NOT_FOUND');
    if (!sameToken(text((req.body as Record<string, unknown> | undefined)?._csrf), flow.csrf)) {
      await render(res, flow, { error: { code: 'CSRF_FAILED' } }, ERRORS.CSRF_FAILED.status);
      return;
    }
    if (flow.step !== 'welcome-back' || !(await marketing.stopMarketing(flow))) throw new AppError('PORTAL_FLOW_EXPIRED');
    const venue = await deps.settings.venueWithName(flow.orgId, flow.venueId);
    const { view, model } = presentStep({ flow, venueName: venue.name, venue: venue.settings });
    res.render(view, { ...model, marketingStopped: format(messages(flow.language).stopMarketingDone, { venue: venue.name }) });
  });

  router.use('/portal', portalErrorPage);
  return router;
}

function sameToken(sent: string | undefined, expected: string): boolean {
  const a = Buffer.from(sent ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Pages for errors that end the flow (bad landing, expired flow): in the visitor's language, never a stack trace. */
function portalErrorPage(raw: unknown, req: Request, res: Response, next: (error?: unknown) => void): void {
  if (res.headersSent) {
    next(raw);
    return;
  }
  const error = isAppError(raw) ? raw : new AppError('INTERNAL');
  if (!isAppError(raw)) req.log.error({ err: raw }, 'portal request failed');
  const requestId = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '';
  res.status(ERRORS[error.code].status).render('portal/error', presentError(languageOf(req), error.code, requestId));
}
