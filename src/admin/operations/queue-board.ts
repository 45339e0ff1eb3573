import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { QueueSet } from './queue-set.js';

/**
 * Bull Board under /admin/queues, on the staff session (the router mounting
 * it requires the owner role). Two adaptations make it work inside Passby:
 * - its own CSP: same-origin scripts only, as everywhere, but no third-party
 *   styles or fonts (it links Google Fonts; the board falls back to system fonts);
 * - CSRF: its API calls (retry, clean, pause…) pass the staff CSRF check like
 *   every other form, carrying the session token in X-CSRF-Token. A small
 *   same-origin script adds it (/admin/assets/ops-queues.js); the token comes
 *   from a meta tag added to the board's page.
 */

export const BOARD_PATH = '/admin/queues';
const SCRIPT = '/admin/assets/ops-queues.js';
/** What @bull-board/express renders for its entry routes. */
const BOARD_VIEW = 'index.ejs';

const escapeAttr = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The board's page with the CSRF token and the script that sends it. */
export function withCsrfHead(html: string, token: string): string {
  const head = `<meta name="csrf-token" content="${escapeAttr(token)}"><script src="${SCRIPT}" defer></script>`;
  // Before the board's own deferred scripts, so the header is in place before its first request.
  return html.replace('<title>', `${head}<title>`);
}

const BOARD_COLOURS = {
  primary: '#0b5cad',
  'primary-foreground': '#ffffff',
  'muted-foreground': '#566173',
  destructive: '#a4161a',
  'status-active': '#0b5cad',
  'status-completed': '#1e6b34',
  'status-failed': '#a4161a',
  'status-waiting': '#8a5a00',
  'status-waiting-children': '#9a3f00',
  'status-prioritized': '#8e1f9c',
  'status-delayed': '#6332c4',
  'status-paused': '#566173',
};

/** The board's entry page (its only HTML) gets the CSRF head; any other render passes through. */
const injectCsrf: RequestHandler = (_req, res, next) => {
  type Render = (view: string, options?: object, done?: (error: Error | null, html?: string) => void) => void;
  const render = res.render.bind(res) as Render;
  const wrapped: Render = (view, options, done) => {
    if (view !== BOARD_VIEW || done) {
      render(view, options, done);
      return;
    }
    render(view, options, (error, html) => {
      if (error) {
        next(error);
        return;
      }
      res.type('html').set('Cache-Control', 'no-store').send(withCsrfHead(html ?? '', res.locals.csrfToken ?? ''));
    });
  };
  res.render = wrapped as Response['render'];
  next();
};

export function boardCsp(https: boolean): RequestHandler {
  return helmet.contentSecurityPolicy({
    useDefaults: true,
    directives: {
      styleSrc: ["'self'", "'unsafe-inline'"],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      upgradeInsecureRequests: https ? [] : null,
    },
  });
}

/** The board app, built on first use (opening the queues means Redis round trips). */
export function queueBoard(queues: QueueSet, https: boolean): RequestHandler[] {
  let board: Express | undefined;
  const build = (): Express => {
    const adapter = new ExpressAdapter();
    adapter.setBasePath(BOARD_PATH);
    createBullBoard({
      queues: queues.queues().map((q) => new BullMQAdapter(q)),
      serverAdapter: adapter,
      options: {
        uiConfig: {
          boardTitle: 'Passby queues',
          hideDocsLink: true,
          // Passby's colours: the board's default status colours are too light for text on white (WCAG AA).
          theme: { light: BOARD_COLOURS },
          miscLinks: [
            { text: 'Back to Passby admin', url: '/admin' },
            { text: 'Recent errors', url: '/admin/errors' },
          ],
        },
      },
    });
    const app = adapter.getRouter() as Express;
    app.disable('x-powered-by');
    return app;
  };
  return [
    boardCsp(https),
    injectCsrf,
    (req: Request, res: Response, next: NextFunction) => {
      board ??= build();
      board(req, res, next);
    },
  ];
}
