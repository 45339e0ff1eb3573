import type { RequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Redis } from 'ioredis';
import type { Db } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { deriveKey } from '../shared/secret-box.js';
import type { OrganisationService, Role } from '../tenancy/index.js';
import { LoginLimiter, MemoryAttemptCounter, RedisAttemptCounter, type LoginLimitPolicy } from './login-limit.js';
import { PgSessionStore } from './session.store.js';

export interface StaffAuthDeps {
  db: Db;
  clock: Clock;
  organisations: OrganisationService;
  secretKey: string;
  secureCookies: boolean;
  /** Sign-in attempt counters shared by every web process; without it each process counts on its own. */
  redis?: Redis;
  /** Redis key prefix (the queue prefix), so installations and tests sharing a Redis stay apart. */
  keyPrefix?: string;
  loginLimits?: Partial<LoginLimitPolicy>;
}

export interface StaffAuth {
  /** Session and passport middleware for staff pages. */
  middleware: RequestHandler[];
  /** Handles the login form: signs in and redirects, or re-renders the form with a 401. */
  logIn: RequestHandler;
}

/** Only same-site paths: never `//host` or `/\\host`, which browsers treat as another origin. */
export function safeNextPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) ? value : '/admin';
}

/** A fresh Passport per app keeps apps (and tests) independent of each other. */
export function createStaffAuth(deps: StaffAuthDeps): StaffAuth {
  const authenticator = new passport.Passport();
  authenticator.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, (email, password, done) => {
      deps.organisations.authenticateStaff(email, password).then((user) => done(null, user ?? false), done);
    }),
  );
  authenticator.serializeUser((user, done) => done(null, user.id));
  authenticator.deserializeUser((id: string, done) => {
    deps.organisations.getActiveUser(id).then((user) => done(null, user ?? false), done);
  });
  const sessions = session({
    name: 'passby.sid',
    secret: deriveKey(deps.secretKey, 'staff-session').toString('base64url'),
    store: new PgSessionStore(deps.db, deps.clock),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, maxAge: 12 * 60 * 60 * 1000 },
  });
  const limiter = new LoginLimiter(deps.redis ? new RedisAttemptCounter(deps.redis) : new MemoryAttemptCounter(deps.clock), deps.keyPrefix ?? 'passby', deps.loginLimits);
  const logIn: RequestHandler = async (req, res, next) => {
    const form = req.body as { email?: unknown } | undefined;
    const email = typeof form?.email === 'string' ? form.email : '';
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    try {
      // Counted before the password is checked, so parallel guesses cannot slip past the limit.
      await limiter.attempt(email, ip);
    } catch (error) {
      const retry = (error as { details?: { retryAfterSeconds?: unknown } }).details?.retryAfterSeconds;
      if (typeof retry === 'number') res.set('Retry-After', String(retry));
      throw error;
    }
    const callback = (error: unknown, user: Express.User | false) => {
      if (error) {
        next(error);
        return;
      }
      if (!user) {
        res.status(401).render('staff/login', { title: 'Sign in', error: 'Wrong email or password.', email });
        return;
      }
      // req.login regenerates the session id (passport >= 0.6): no session fixation.
      req.login(user, (loginError) => {
        if (loginError) {
          next(loginError);
          return;
        }
        limiter.succeeded(email, ip).then(() => res.redirect(303, safeNextPath((req.body as { next?: unknown }).next)), next);
      });
    };
    (authenticator.authenticate('local', callback) as RequestHandler)(req, res, next);
  };
  return { middleware: [sessions, authenticator.session() as RequestHandler], logIn };
}

/** Staff pages: redirect to the login page when signed out; 403 for a role without access. */
/** The admin areas each role works in; the pages enforce the same split with requireStaff(role...). */
export function areasFor(role: Role): NonNullable<Express.Locals['can']> {
  const owner = role === 'owner';
  return { setup: owner, operations: owner, analytics: owner || role === 'analyst', triggers: owner || role === 'marketer', visitors: owner || role === 'marketer' };
}

export function requireStaff(...roles: Role[]): RequestHandler {
  return (req, res, next) => {
    if (!req.user) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (roles.length > 0 && !roles.includes(req.user.role)) {
      res.status(403).render('errors/error', { title: 'Not allowed', message: `This page needs the ${roles.join(' or ')} role.`, status: 403 });
      return;
    }
    res.locals.staff = req.user;
    res.locals.can = areasFor(req.user.role);
    next();
  };
}
