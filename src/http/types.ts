import type { ApiPrincipal, StaffUser } from '../tenancy/index.js';

declare global {
  namespace Express {
    interface Locals {
      /** Set by requireApiKey. */
      principal?: ApiPrincipal;
      /** Set by requireStaff. */
      staff?: StaffUser;
      /** Set by requireStaff: which admin areas the signed-in role may open (drives the navigation). */
      can?: { setup: boolean; analytics: boolean; triggers: boolean; visitors: boolean; operations: boolean };
      csrfToken?: string;
    }
    // passport's req.user is the signed-in staff member (declaration merging needs the empty body).
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends StaffUser {}
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
  }
}

export {};
