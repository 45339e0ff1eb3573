import { Router } from 'express';
import type { GatewayService } from './gateway.service.js';
import type { SignInService } from './sign-in.service.js';

/**
 * RFC 8908 Captive Portal API, advertised by DHCP option 114 / RA option 37
 * as `<PUBLIC_URL>/captive-portal/api/<gatewayId>`. The client is found by its
 * source address, so the answer is only right where the portal sees client
 * addresses (no NAT between them, or TRUST_PROXY with X-Forwarded-For).
 */
export function captiveApiRoutes(deps: { gateways: GatewayService; signIn: SignInService; publicUrl: string }): Router {
  const router = Router();
  router.get('/captive-portal/api/:gatewayId', async (req, res) => {
    const found = await deps.gateways.findForPortal(req.params.gatewayId);
    res.set('Cache-Control', 'private, no-store');
    if (!found) {
      res.status(404).type('application/captive+json').send(JSON.stringify({ captive: true }));
      return;
    }
    const remaining = req.ip ? await deps.signIn.onlineSecondsRemaining(found.gateway.id, req.ip) : undefined;
    const body = {
      captive: remaining === undefined,
      'user-portal-url': `${deps.publicUrl}/portal/g/${found.gateway.id}`,
      ...(remaining !== undefined ? { 'seconds-remaining': remaining, 'can-extend-session': false } : {}),
    };
    res.type('application/captive+json').send(JSON.stringify(body));
  });
  return router;
}
