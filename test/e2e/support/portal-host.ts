import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../../src/db/embedded.js';
import { makeTestPki, type TestPki } from '../../fakes/omada.server.js';
import { createPortalTestContext, type PortalTestContext } from '../../helpers/portal.js';
import { INTERNET_IP } from './opennds-lab.js';

export const PORTAL_FQDN = 'portal.passby.test';

/** The real Passby app (real PostgreSQL/Redis, fake Twilio) serving an openNDS gateway's FAS on the lab's "internet" address. */
export interface PortalHost {
  ctx: PortalTestContext;
  gatewayId: string;
  faskey: string;
  port: number;
  pki: TestPki | undefined;
  /** The portal base URL as the client reaches it. */
  base: string;
  /** POSTs authmon has made so far (level 3). */
  authmonPolls(): number;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export async function createPortalHost(fasLevel: 1 | 2 | 3): Promise<PortalHost> {
  const secure = fasLevel === 3;
  const port = await freePort();
  const pki = secure ? await makeTestPki([PORTAL_FQDN]) : undefined;
  const ctx = await createPortalTestContext({ PUBLIC_URL: secure ? `https://${PORTAL_FQDN}:${port}` : `http://${INTERNET_IP}:${port}` });
  const { gateway, secrets } = await ctx.services.gateways.create(ctx.org.orgId, { kind: 'opennds', venueId: ctx.org.venueId, name: `lab L${fasLevel}`, fasLevel });
  if (!('faskey' in secrets)) throw new Error('no faskey');
  let server: Server | undefined;
  let polls = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url?.startsWith('/portal/opennds/')) polls += 1;
    ctx.app(req, res);
  };
  return {
    ctx,
    gatewayId: gateway.id,
    faskey: secrets.faskey,
    port,
    pki,
    base: secure ? `https://${PORTAL_FQDN}:${port}` : `http://${INTERNET_IP}:${port}`,
    authmonPolls: () => polls,
    async listen() {
      // The address exists only once the lab has made its veth: call after startOpenndsLab.
      server = pki ? createHttpsServer({ cert: pki.certPem, key: pki.keyPem }, handler) : createHttpServer(handler);
      await new Promise<void>((resolve) => server?.listen(port, INTERNET_IP, resolve));
      if ((server.address() as AddressInfo).port !== port) throw new Error('port changed');
    },
    async close() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await ctx.close();
    },
  };
}
