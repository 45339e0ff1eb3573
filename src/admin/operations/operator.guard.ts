import type { RequestHandler } from 'express';
import type { OrganisationService } from '../../tenancy/index.js';

/**
 * The operations pages show every organisation's jobs and error lines, so
 * only an installation operator may open them: an owner whose email is in
 * OPERATOR_EMAILS or, when that is unset, the owner of an installation that
 * holds a single organisation (the usual self-hosted case).
 */
export function requireOperator(deps: { operatorEmails: readonly string[]; organisations: Pick<OrganisationService, 'countOrganisations'> }): RequestHandler {
  return async (_req, res, next) => {
    const staff = res.locals.staff;
    if (!staff) throw new Error('requireStaff did not set the staff member');
    const allowed =
      deps.operatorEmails.length > 0 ? deps.operatorEmails.includes(staff.email.toLowerCase()) : (await deps.organisations.countOrganisations()) === 1;
    if (allowed) {
      next();
      return;
    }
    res.status(403).render('errors/error', {
      title: 'Not allowed',
      message:
        'Queues and errors cover every organisation on this installation, so they are for its operators only. ' +
        'The operator adds your email to OPERATOR_EMAILS to let you in.',
      status: 403,
    });
  };
}
