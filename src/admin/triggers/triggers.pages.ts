import { Router, type Response } from 'express';
import type { StaffUser } from '../../tenancy/index.js';
import { requireStaff } from '../../staff/index.js';
import type { AdminDeps } from '../admin-deps.js';
import { deliveriesPages } from './deliveries.pages.js';
import { rulesPages } from './rules.pages.js';

/** The signed-in staff member (requireStaff ran first). */
export function staffOf(res: Response): StaffUser {
  const staff = res.locals.staff;
  if (!staff) throw new Error('requireStaff did not set the staff member');
  return staff;
}

/** Rules and the delivery log: marketers and owners only (analysts read metrics, not campaigns). */
export function triggersPages(deps: AdminDeps): Router {
  const router = Router();
  const guard = requireStaff('owner', 'marketer');
  router.use(['/rules', '/deliveries'], guard);
  router.use(rulesPages(deps), deliveriesPages(deps));
  return router;
}
