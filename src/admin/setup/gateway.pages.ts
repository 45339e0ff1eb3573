import { isIP } from 'node:net';
import { Router, type Response } from 'express';
import type { GatewayWithSecrets } from '../../portal/index.js';
import { gatewayInputSchema } from '../../portal/gateway.schemas.js';
import { validate } from '../../shared/validate.js';
import type { AdminDeps } from '../admin-deps.js';
import { fasLevelOf, gatewayConfigView, openndsProblem } from './gateway-config.view.js';
import { emptyGatewayForm, GATEWAY_FIELDS, gatewayFormView, gatewayInputFrom, readGatewayForm, type GatewayFormValues } from './gateway.form.js';
import {
  fieldErrorsOf,
  hasErrors,
  idOf,
  loadPlaces,
  orgOf,
  placementChoices,
  placementErrors,
  shownTime,
  type FieldErrors,
  type Places,
} from './gateway-sensor.form.js';

const KIND_LABELS: Record<string, string> = { opennds: 'openNDS', omada: 'TP-Link Omada' };

/** Every error the form can show: the schema's and the page's own checks, all at once. */
function formErrors(deps: AdminDeps, places: Places, form: GatewayFormValues): FieldErrors {
  let errors: FieldErrors = {};
  try {
    validate(gatewayInputSchema, gatewayInputFrom(form));
  } catch (error) {
    errors = fieldErrorsOf(error, GATEWAY_FIELDS);
  }
  Object.assign(errors, placementErrors(places, form));
  if (form.kind === 'opennds' && /^[123]$/.test(form.fasLevel) && !errors.fasLevel) {
    // A gateway whose config cannot be generated (level 3 over http) is no use to anyone.
    const problem = openndsProblem(deps.config.publicUrl, fasLevelOf({ fasLevel: Number(form.fasLevel) }));
    if (problem) errors.fasLevel = problem;
  }
  return errors;
}

/** /admin/gateways: the list, the "Add a gateway" form, and each gateway's configuration to paste. */
export function gatewayPages(deps: AdminDeps): Router {
  const router = Router();
  const gateways = deps.services.gateways;

  const renderList = async (res: Response, status: number, orgId: string, form: GatewayFormValues, errors: FieldErrors, places?: Places) => {
    const [where, list] = await Promise.all([places ?? loadPlaces(deps, orgId), gateways.list(orgId)]);
    res.status(status).render('admin/setup/gateways', {
      title: 'Gateways',
      gateways: list.map((g) => ({ id: g.id, name: g.name, kind: KIND_LABELS[g.kind] ?? g.kind, venue: where.venueName(g.venueId), zone: where.zoneName(g.zoneId), created: shownTime(g.createdAt) })),
      form: gatewayFormView(form),
      ...placementChoices(where, form),
      noVenues: where.venues.length === 0,
      errors,
      hasErrors: hasErrors(errors),
      publicUrl: deps.config.publicUrl,
    });
  };

  const renderGateway = async (res: Response, status: number, orgId: string, found: GatewayWithSecrets, view: { justCreated: boolean; fasRemoteIp?: string; ipText?: string; ipError?: string }) => {
    const { gateway } = found;
    const [places, venue] = await Promise.all([loadPlaces(deps, orgId), deps.portal.settings.venue(orgId, gateway.venueId)]);
    const { minutes, ...rates } = venue.session;
    const config = gatewayConfigView(found, { publicUrl: deps.config.publicUrl, justCreated: view.justCreated, limits: { sessionMinutes: minutes, ...rates }, fasRemoteIp: view.fasRemoteIp });
    // The page may hold a secret: keep it out of caches and the back/forward history.
    res.set('Cache-Control', 'no-store');
    res.status(status).render('admin/setup/gateway', {
      title: `Gateway ${gateway.name}`,
      gateway: { id: gateway.id, name: gateway.name, kind: KIND_LABELS[gateway.kind] ?? gateway.kind, venue: places.venueName(gateway.venueId), zone: places.zoneName(gateway.zoneId), created: shownTime(gateway.createdAt) },
      captiveApiUrl: `${deps.config.publicUrl}/captive-portal/api/${gateway.id}`,
      justCreated: view.justCreated,
      ipText: view.ipText,
      ipError: view.ipError,
      ...config,
    });
  };

  router.get('/', async (_req, res) => {
    await renderList(res, 200, orgOf(res), emptyGatewayForm(), {});
  });

  router.post('/', async (req, res) => {
    const orgId = orgOf(res);
    const form = readGatewayForm(req.body);
    const places = await loadPlaces(deps, orgId);
    let errors = formErrors(deps, places, form);
    if (!hasErrors(errors)) {
      try {
        const created = await gateways.create(orgId, gatewayInputFrom(form));
        // The secrets, once, on the page that answers the form: never through the session store.
        await renderGateway(res, 201, orgId, await gateways.getWithSecrets(orgId, created.gateway.id), { justCreated: true });
        return;
      } catch (error) {
        errors = fieldErrorsOf(error, GATEWAY_FIELDS);
      }
    }
    await renderList(res, 400, orgId, form, errors, places);
  });

  router.get('/:id', async (req, res) => {
    const orgId = orgOf(res);
    const found = await gateways.getWithSecrets(orgId, idOf(req));
    const ip = typeof req.query.fasremoteip === 'string' ? req.query.fasremoteip.trim() : '';
    const ipError = ip !== '' && isIP(ip) !== 4 ? 'Enter the IPv4 address, e.g. 203.0.113.7 (openNDS cannot use a host name or IPv6 here).' : undefined;
    const fasRemoteIp = ip !== '' && !ipError ? ip : undefined;
    await renderGateway(res, ipError ? 400 : 200, orgId, found, { justCreated: false, fasRemoteIp, ipText: ip, ipError });
  });
  return router;
}
