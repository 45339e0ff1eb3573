import express, { Router } from 'express';
import { csrfProtection } from '../http/csrf.js';
import type { OrganisationService, VenueService } from '../tenancy/index.js';
import { requireStaff, safeNextPath, type StaffAuth } from './staff.auth.js';

/**
 * Staff sign-in and the signed-in home page. The admin app (issue 6) grows
 * under /admin on the same session.
 */
export function staffRoutes(deps: { auth: StaffAuth; organisations: OrganisationService; venues: VenueService; admin?: Router }): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '256kb' }), ...deps.auth.middleware, csrfProtection);

  router.get('/', (_req, res) => res.redirect(303, '/admin'));
  router.get('/login', (req, res) => {
    if (req.user) {
      res.redirect(303, '/admin');
      return;
    }
    res.render('staff/login', { title: 'Sign in', next: safeNextPath(req.query.next) });
  });
  router.post('/login', deps.auth.logIn);
  router.post('/logout', (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect(303, '/login')));
  });
  router.get('/admin', requireStaff(), async (req, res) => {
    const staff = res.locals.staff;
    if (!staff) throw new Error('requireStaff did not set the staff member');
    const [organisation, venues] = await Promise.all([deps.organisations.getOrganisation(staff.orgId), deps.venues.list(staff.orgId)]);
    const notice = req.query.done === 'venue-deleted' ? 'The venue was deleted.' : undefined;
    res.render('staff/home', { title: organisation.name, organisation, venues, staff, notice });
  });
  if (deps.admin) router.use('/admin', deps.admin);
  return router;
}
