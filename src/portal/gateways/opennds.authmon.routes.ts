import express, { Router, type Response } from 'express';
import type { Logger } from '../../shared/logger.js';
import { isAppError } from '../../shared/errors.js';
import { gatewayHash, gatewayHashMatches, parseAuthmonForm, type AuthmonQueue, type AuthmonRequest } from './opennds.authmon.js';

export interface OpenndsAuthmonDeps {
  lookup: (gatewayId: string) => Promise<{ faskey: string; fasLevel: number; gatewayName?: string } | undefined>;
  authmon: AuthmonQueue;
  logger: Logger;
}

/** The FAS path of a gateway: GET is the visitor's landing (portal routes), POST is authmon. */
export const OPENNDS_FAS_PATH = '/portal/opennds/:gatewayId';

const plain = (res: Response, status: number, body: string): void => {
  res.status(status).type('text/plain').send(body);
};

/**
 * openNDS level 3 authmon: the gateway's PHP POSTs form fields to the FAS URL
 * itself (see opennds.authmon.ts). Answers are text/plain; a non-2xx status makes
 * PHP's fopen fail, which authmon logs on the gateway as "Failed_to_open_stream".
 * Logs carry the gateway id and counts only: payloads name clients.
 */
export function openndsAuthmonRoutes(deps: OpenndsAuthmonDeps): Router {
  const router = Router();
  router.post(OPENNDS_FAS_PATH, express.urlencoded({ extended: false, limit: '32kb' }), async (req, res) => {
    const gatewayId = req.params.gatewayId;
    const gateway = /^[A-Za-z0-9_-]{1,64}$/.test(gatewayId) ? await deps.lookup(gatewayId) : undefined;
    if (!gateway) {
      plain(res, 404, 'Unknown gateway');
      return;
    }
    if (gateway.fasLevel !== 3) {
      deps.logger.warn({ gateway: gatewayId, fasLevel: gateway.fasLevel }, 'authmon poll for a gateway not set to FAS level 3');
      plain(res, 404, 'This gateway is not set to FAS level 3');
      return;
    }
    let request: AuthmonRequest;
    try {
      request = parseAuthmonForm(req.body);
    } catch (error) {
      if (!isAppError(error)) throw error;
      deps.logger.warn({ gateway: gatewayId }, 'authmon request is malformed');
      plain(res, 400, 'Malformed authmon request');
      return;
    }
    // The name configured here, or the one the gateway reported in its last level 3 landing
    // (covers openNDS's default " Node:<mac> " suffix). Nothing known yet: nothing is queued either.
    const expected = [gateway.gatewayName === undefined ? undefined : gatewayHash(gateway.gatewayName), await deps.authmon.expectedGatewayHash(gatewayId)];
    const known = expected.filter((hash): hash is string => hash !== undefined);
    if (known.length > 0 && !known.some((hash) => gatewayHashMatches(request.gatewayhash, hash))) {
      deps.logger.warn({ gateway: gatewayId, action: request.action }, 'authmon gatewayhash does not match this gateway');
      plain(res, 403, 'Gateway hash does not match');
      return;
    }
    const body = await deps.authmon.answer(gatewayId, request);
    const entries = body.startsWith('*') ? body.split(' ').length - 1 : 0;
    deps.logger[entries > 0 || request.action !== 'view' ? 'info' : 'debug']({ gateway: gatewayId, action: request.action, entries }, 'authmon answered');
    plain(res, 200, body);
  });
  return router;
}
