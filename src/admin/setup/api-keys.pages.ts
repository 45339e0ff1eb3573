import { Router, type Response } from 'express';
import { isAppError } from '../../shared/errors.js';
import type { ApiKeyListing } from '../../tenancy/organisation.repository.js';
import type { AdminDeps } from '../admin-deps.js';
import type { FormState } from './settings-view.js';
import { fieldErrors, formFields, idParam, ownerOf, stamp } from './staff-context.js';

/** What identifies a key without revealing it: the public lookup part of `pbk_<lookup>_<secret>`. */
const keyView = (key: ApiKeyListing) => ({
  ...key,
  prefix: `pbk_${key.lookup}_…`,
  created: stamp(key.createdAt),
  lastUsed: stamp(key.lastUsedAt),
  revoked: stamp(key.revokedAt),
});

/** /admin/api-keys: list, create (the token shown once) and revoke the organisation's API keys. */
export function apiKeyPages(deps: AdminDeps): Router {
  const router = Router();
  const organisations = deps.services.organisations;

  const show = async (res: Response, status: number, view: { notice?: string | undefined; add?: FormState }): Promise<void> => {
    const keys = await organisations.listApiKeys(ownerOf(res).orgId);
    const add = view.add ?? { values: { name: '' }, errors: {} };
    res.status(status).render('admin/setup/api-keys', { title: 'API keys', ...view, add, keys: keys.map(keyView) });
  };

  router.get('/api-keys', async (req, res) => {
    await show(res, 200, { notice: req.query.saved === 'revoked' ? 'The key was revoked: requests with it are refused from now on.' : undefined });
  });

  router.post('/api-keys', async (req, res) => {
    const name = formFields(req.body)('name');
    let token: string;
    try {
      token = await organisations.createApiKey(ownerOf(res).orgId, name);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      await show(res, 400, { add: { values: { name }, errors: fieldErrors(error.details?.fields, (path) => (path.startsWith('name') ? 'name' : undefined)) } });
      return;
    }
    // Shown once, on this response only: only the token's hash is stored.
    res.set('Cache-Control', 'no-store').status(201).render('admin/setup/api-keys-created', { title: 'API key created', name: name.trim(), token });
  });

  router.get('/api-keys/:id/revoke', async (req, res) => {
    const key = await organisations.getApiKey(ownerOf(res).orgId, idParam(req));
    res.render('admin/setup/api-keys-revoke', { title: 'Revoke API key', key: keyView(key) });
  });

  router.post('/api-keys/:id/revoke', async (req, res) => {
    await organisations.revokeApiKey(ownerOf(res).orgId, idParam(req));
    res.redirect(303, '/admin/api-keys?saved=revoked');
  });
  return router;
}
