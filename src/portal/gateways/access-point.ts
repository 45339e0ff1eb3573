/**
 * The one interface every gateway adapter (openNDS FAS, Omada external
 * portal) implements. The portal flow only talks to this: it never knows how
 * a particular gateway encodes its landing request or lets a client online.
 */

/** The query string of the landing request, as Express parsed it. */
export type LandingQuery = Record<string, unknown>;

/** A client as the gateway described it on landing. Held in memory and in the short-lived flow state only. */
export interface LandingClient {
  /** Normalised `aa:bb:cc:dd:ee:ff`. Never written to the database or logs: hash it first. */
  mac: string;
  ip: string | undefined;
  /** SSID when the gateway tells us (Omada AP portal); per-SSID random MACs make it worth showing. */
  ssid: string | undefined;
  /** Where the visitor was going: only ever an absolute http(s) URL, already validated. */
  originUrl: string | undefined;
  /**
   * What the adapter needs later to authorise this client (openNDS: hid,
   * gatewayaddress, authdir; Omada: apMac/gatewayMac, site, radioId, vid, t...).
   * Plain strings so the flow state stays JSON.
   */
  handle: Record<string, string>;
}

/** Limits passed through to the gateway where it supports them (openNDS does all; Omada takes the time only). */
export interface SessionLimits {
  sessionMinutes: number;
  uploadKbps?: number;
  downloadKbps?: number;
  uploadQuotaKb?: number;
  downloadQuotaKb?: number;
}

/**
 * What the portal does after asking the gateway to authorise:
 * - `redirect`: send the browser (top-level 303) to `url`; the gateway itself
 *   lets the client on when it arrives there (openNDS levels 1 and 2);
 * - `authorised`: the gateway has already let the client on (Omada);
 * - `pending`: the gateway will pick the authorisation up on its own
 *   (openNDS level 3 authmon polls); `reference` lets the portal ask later.
 */
export type AuthoriseOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'authorised' }
  | { kind: 'pending'; reference: string };

export interface AccessPointController {
  /** Validates and decodes the landing request; throws AppError('PORTAL_BAD_LANDING') on a bad or forged one. */
  parseLanding(query: LandingQuery): LandingClient;
  authorise(client: LandingClient, limits: SessionLimits): Promise<AuthoriseOutcome>;
  /** For `pending` outcomes: has the gateway picked the authorisation up yet? */
  isAuthorised?(reference: string): Promise<boolean>;
  /** Takes the client off-line again where the gateway supports it; `false` when it cannot. */
  revoke(client: LandingClient): Promise<boolean>;
}
