import { Router, type Response } from 'express';
import { isAppError } from '../../shared/errors.js';
import { ROLES, type Role } from '../../tenancy/index.js';
import type { StaffUserListing } from '../../tenancy/staff-user.repository.js';
import type { AdminDeps } from '../admin-deps.js';
import type { FormState } from './settings-view.js';
import { fieldErrors, formFields, idParam, ownerOf, stamp } from './staff-context.js';

const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner: everything, including set-up',
  marketer: 'Marketer: rules, messages and visitors',
  analyst: 'Analyst: footfall analytics',
};

const NOTICES: Record<string, string> = {
  added: 'The user was added and can sign in with the password you chose.',
  role: "The role was changed; it applies from the user's next page.",
  disabled: 'The user was disabled: they are signed out and cannot sign in.',
  enabled: 'The user was enabled and can sign in again.',
};

const ADD_FIELDS = ['email', 'name', 'role', 'password'] as const;

const roleOptions = (selected: string) => ROLES.map((value) => ({ value, label: ROLE_LABELS[value], selected: value === selected }));

function rowOf(user: StaffUserListing, selfId: string) {
  return {
    ...user,
    self: user.id === selfId,
    disabled: user.disabledAt !== null,
    roleLabel: ROLE_LABELS[user.role],
    lastLogin: stamp(user.lastLoginAt),
    roleOptions: roleOptions(user.role),
  };
}

/** The owner's own account is refused by the service; say why on the page instead of an error page. */
function selfRefusal(error: unknown): string {
  if (isAppError(error) && error.code === 'FORBIDDEN' && error.details?.reason === 'self') return error.message;
  throw error;
}

/** /admin/staff: list, add, change role, disable and enable staff users of the owner's organisation. */
export function staffPages(deps: AdminDeps): Router {
  const router = Router();
  const organisations = deps.services.organisations;

  const show = async (res: Response, status: number, view: { notice?: string | undefined; problem?: string; add?: FormState }): Promise<void> => {
    const me = ownerOf(res);
    const users = await organisations.listUsers(me.orgId);
    const add = view.add ?? { values: { role: 'marketer' }, errors: {} };
    res.status(status).render('admin/setup/staff', {
      title: 'Staff users',
      ...view,
      users: users.map((u) => rowOf(u, me.id)),
      add: { ...add, roles: roleOptions(add.values.role ?? ''), failed: Object.keys(add.errors).length > 0 },
    });
  };

  router.get('/staff', async (req, res) => {
    await show(res, 200, { notice: typeof req.query.saved === 'string' ? NOTICES[req.query.saved] : undefined });
  });

  router.post('/staff', async (req, res) => {
    const field = formFields(req.body);
    const values = Object.fromEntries(ADD_FIELDS.map((name) => [name, field(name)]));
    const password = field('password');
    try {
      const created = await organisations.createUser(ownerOf(res).orgId, {
        email: values.email,
        name: values.name,
        role: values.role,
        password: password === '' ? undefined : password,
      });
      if (created.generatedPassword === undefined) {
        res.redirect(303, '/admin/staff?saved=added');
        return;
      }
      // Shown once, on this response only: never stored in the session, never cached.
      res.set('Cache-Control', 'no-store').status(201).render('admin/setup/staff-created', {
        title: 'Staff user added',
        user: { ...created.user, roleLabel: ROLE_LABELS[created.user.role] },
        password: created.generatedPassword,
      });
    } catch (error) {
      if (!isAppError(error) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'CONFLICT')) throw error;
      const errors = fieldErrors(error.details?.fields, (path) => ADD_FIELDS.find((name) => path.startsWith(name)));
      await show(res, error.code === 'CONFLICT' ? 409 : 400, { add: { values: { ...values, password: '' }, errors } });
    }
  });

  router.post('/staff/:id/role', async (req, res) => {
    const me = ownerOf(res);
    try {
      await organisations.changeRole(me.orgId, me.id, idParam(req), { role: formFields(req.body)('role') });
    } catch (error) {
      if (isAppError(error) && error.code === 'VALIDATION_FAILED') {
        await show(res, 400, { problem: 'Choose owner, marketer or analyst.' });
        return;
      }
      await show(res, 403, { problem: selfRefusal(error) });
      return;
    }
    res.redirect(303, '/admin/staff?saved=role');
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    router.post(`/staff/:id/${action}`, async (req, res) => {
      const me = ownerOf(res);
      try {
        await organisations.setUserDisabled(me.orgId, me.id, idParam(req), disabled);
      } catch (error) {
        await show(res, 403, { problem: selfRefusal(error) });
        return;
      }
      res.redirect(303, `/admin/staff?saved=${action}d`);
    });
  }
  return router;
}
