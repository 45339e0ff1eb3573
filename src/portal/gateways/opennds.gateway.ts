import { AppError } from '../../shared/errors.js';
import type { AccessPointController, AuthoriseOutcome, LandingClient, LandingQuery, SessionLimits } from './access-point.js';
import { gatewayHash, type AuthmonQueue } from './opennds.authmon.js';
import { authUrl, decodeFasLanding, isGatewayAddress, rhid, type FasLevel } from './opennds.fas.js';

export interface OpenndsGatewayOptions {
  gatewayId: string;
  fasLevel: FasLevel;
  faskey: string;
  authmon: AuthmonQueue;
  /**
   * Level 3: how long an authorisation waits for authmon to pick it up. authmon
   * polls every 10 s by default; a client that left must not stay queued.
   */
  pendingTtlSeconds?: number;
}

const DEFAULT_PENDING_TTL = 300;
const HID = /^[0-9a-fA-F]{64}$/;

/**
 * openNDS 9.10 FAS adapter.
 * - Levels 1 and 2: the browser is sent to the gateway's auth URL with the token.
 *   That URL carries no session length, rates or quotas (openNDS reads only
 *   `tok`, `redir` and `custom` there, and `custom` is editable by the visitor
 *   before following the link), so at these levels the gateway's own
 *   sessiontimeout / uploadrate / downloadrate / uploadquota / downloadquota apply.
 * - Level 3: the authorisation is queued for authmon with the limits; the portal
 *   asks `isAuthorised(reference)` until the gateway has acked it.
 * openNDS 9.10 offers the FAS no way to deauthenticate a client: `revoke` is false.
 */
export class OpenndsGateway implements AccessPointController {
  constructor(private readonly options: OpenndsGatewayOptions) {
    if (![1, 2, 3].includes(options.fasLevel)) throw new AppError('INTERNAL', `Unsupported openNDS FAS level ${String(options.fasLevel)}`);
  }

  parseLanding(query: LandingQuery): LandingClient {
    const payload = decodeFasLanding(this.options.fasLevel, query, this.options.faskey);
    return {
      mac: payload.clientmac,
      ip: payload.clientip,
      ssid: undefined,
      originUrl: payload.originurl,
      handle: {
        hid: payload.hid,
        gatewayaddress: payload.gatewayaddress,
        gatewayname: payload.gatewayname,
        level: String(this.options.fasLevel),
        ...(payload.authdir === undefined ? {} : { authdir: payload.authdir }),
      },
    };
  }

  async authorise(client: LandingClient, limits: SessionLimits): Promise<AuthoriseOutcome> {
    const { hid, gatewayaddress, authdir, gatewayname } = client.handle;
    // The handle came back from the flow store: check it is still what parseLanding made.
    if (!hid || !HID.test(hid) || !gatewayaddress || !isGatewayAddress(gatewayaddress) || gatewayname === undefined) {
      throw new AppError('PORTAL_FLOW_EXPIRED', 'The sign-in state for this openNDS gateway is incomplete');
    }
    const token = rhid(hid, this.options.faskey);
    if (this.options.fasLevel !== 3) {
      // Without an origin URL, the gateway's own status page is the one place sure to answer.
      const redir = client.originUrl ?? `http://${gatewayaddress}/`;
      return { kind: 'redirect', url: authUrl({ gatewayaddress, authdir }, token, redir) };
    }
    await this.options.authmon.enqueue(
      this.options.gatewayId,
      { rhid: token, limits, gatewayHash: gatewayHash(gatewayname) },
      this.options.pendingTtlSeconds ?? DEFAULT_PENDING_TTL,
    );
    return { kind: 'pending', reference: token };
  }

  async isAuthorised(reference: string): Promise<boolean> {
    if (this.options.fasLevel !== 3) return false;
    return this.options.authmon.isAuthorised(this.options.gatewayId, reference);
  }

  revoke(_client: LandingClient): Promise<boolean> {
    return Promise.resolve(false);
  }
}
