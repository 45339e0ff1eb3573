import { Router, type Request, type Response } from 'express';
import { isLanguage, messages, pickLanguage, errorMessage, format, type Language } from '../../portal/i18n.js';
import { maskPhone } from '../../portal/phone.js';
import { ERRORS } from '../../shared/errors.js';
import type { OptOutTokens } from './opt-out-token.js';
import type { SmsService } from './sms.service.js';

/** The opt-out pages carry no venue branding (an organisation may have many venues): neutral colours. */
const BRAND = { primaryColour: '#0a7d5a', backgroundColour: '#f6f7f8', textColour: '#1d2327' };

function languageOf(req: Request): Language {
  return isLanguage(req.query.lang) ? req.query.lang : pickLanguage(req.get('accept-language'));
}

/** Pure: the model shared by the three pages (portal layout: mobile-first, no JavaScript). */
export function optOutModel(lang: Language, orgName: string, extra: Record<string, unknown>): Record<string, unknown> {
  const t = messages(lang);
  return { layout: 'portal', t, brand: BRAND, venueName: orgName || t.optOutTitle, title: t.optOutTitle, ...extra };
}

/**
 * `/o/:token`: the withdrawal link at the end of every marketing SMS. GET shows
 * a page with one button; only the POST changes anything, so link previews and
 * prefetchers cannot opt anyone out. The signed token is the capability.
 */
export function optOutRoutes(deps: { tokens: OptOutTokens; sms: SmsService }): Router {
  const router = Router();

  router.use('/o', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    res.set('X-Robots-Tag', 'noindex');
    next();
  });

  const invalid = (req: Request, res: Response): void => {
    const lang = languageOf(req);
    const t = messages(lang);
    res.status(ERRORS.OPT_OUT_LINK_INVALID.status).render('triggers/opt-out-invalid', optOutModel(lang, '', { title: t.errorHeading, message: errorMessage(lang, 'OPT_OUT_LINK_INVALID') }));
  };

  router.get('/o/:token', async (req: Request<{ token: string }>, res) => {
    const subject = deps.tokens.verify(req.params.token);
    if (!subject) {
      invalid(req, res);
      return;
    }
    const lang = languageOf(req);
    const t = messages(lang);
    const { orgName, phone } = await deps.sms.optOutSubject(subject.orgId, subject.visitorId);
    res.render(
      'triggers/opt-out',
      optOutModel(lang, orgName, {
        intro: format(t.optOutIntro, { org: orgName }),
        number: phone ? format(t.optOutNumber, { phone: maskPhone(phone) }) : undefined,
        action: `/o/${req.params.token}${isLanguage(req.query.lang) ? `?lang=${req.query.lang}` : ''}`,
      }),
    );
  });

  router.post('/o/:token', async (req: Request<{ token: string }>, res) => {
    const subject = deps.tokens.verify(req.params.token);
    if (!subject) {
      invalid(req, res);
      return;
    }
    const lang = languageOf(req);
    const t = messages(lang);
    // An erased visitor: nothing left to message, so the answer is the same.
    await deps.sms.optOutByLink(subject.orgId, subject.visitorId);
    const { orgName } = await deps.sms.optOutSubject(subject.orgId, subject.visitorId);
    res.render('triggers/opt-out-done', optOutModel(lang, orgName, { title: t.optOutDoneTitle, done: format(t.optOutDone, { org: orgName }) }));
  });
  return router;
}
