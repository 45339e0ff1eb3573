import { AppError } from '../../shared/errors.js';
import type { AccessPointController, AuthoriseOutcome, LandingClient, LandingQuery, SessionLimits } from './access-point.js';
import type { OmadaAuthBody, OmadaAuthoriser } from './omada.client.js';

/**
 * The Omada external portal (TP-Link FAQ 3231, controller >= 5.0.15). The
 * controller redirects the guest to us with the AP or gateway details in the
 * query; once the guest has signed in we hand those details back to the
 * controller's `extPortal/auth`, which lets the client online at once.
 */

export type OmadaTimeUnit = 'ms' | 'us';

export interface OmadaGatewayOptions {
  client: OmadaAuthoriser;
  /** Used only when a landing carries no `site`; the controller's own value otherwise wins (it may be a name or an id). */
  site?: string;
  /** FAQ 3231 says microseconds, working integrations send milliseconds: a per-gateway setting. */
  timeUnit: OmadaTimeUnit;
}

const OMADA_MAC = /^[0-9A-F]{2}(-[0-9A-F]{2}){5}$/i;
const MAX_URL_LENGTH = 2048;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Who the controller should let the client on through: the EAP's radio or the gateway's VLAN. */
type AuthTarget =
  | { apMac: string; ssidName: string; radioId: number; site: string }
  | { gatewayMac: string; vid: number; site: string };

const badLanding = (message: string): AppError => new AppError('PORTAL_BAD_LANDING', message);

/** A single string or nothing: repeated parameters (`?a=1&a=2`) and nested objects are forgeries, not input. */
function single(query: LandingQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw badLanding(`The ${name} parameter must appear once`);
  return value;
}

function required(query: LandingQuery, name: string): string {
  const value = single(query, name);
  if (value === undefined) throw badLanding(`The ${name} parameter is missing`);
  return value;
}

/** `70-8A-09-65-4D-EC` (Omada's form) -> upper-case dashes, refusing what no real client could have. */
function omadaMac(value: string, name: string): string {
  if (!OMADA_MAC.test(value)) throw badLanding(`The ${name} parameter is not a MAC address like 70-8A-09-65-4D-EC`);
  const mac = value.toUpperCase();
  if (mac === '00-00-00-00-00-00' || mac === 'FF-FF-FF-FF-FF-FF') throw badLanding(`The ${name} parameter is not a device MAC address`);
  return mac;
}

const toLandingMac = (mac: string): string => mac.toLowerCase().replaceAll('-', ':');
const toOmadaMac = (mac: string): string => mac.toUpperCase().replaceAll(':', '-');

function text(value: string, name: string, maxBytes: number): string {
  if (CONTROL_CHARS.test(value) || Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw badLanding(`The ${name} parameter is not valid`);
  }
  return value;
}

function radioId(value: string): string {
  // 0 = 2.4 GHz, 1 = 5 GHz per FAQ 3231; anything else is not from the controller.
  if (value !== '0' && value !== '1') throw badLanding('The radioId parameter must be 0 (2.4 GHz) or 1 (5 GHz)');
  return value;
}

function vlanId(value: string): string {
  const vid = /^[1-9][0-9]{0,3}$/.test(value) ? Number(value) : NaN;
  if (!(vid >= 1 && vid <= 4094)) throw badLanding('The vid parameter must be a VLAN id from 1 to 4094');
  return String(vid);
}

/**
 * Where the guest was going, kept only if it is an absolute http(s) URL: never
 * `javascript:`, protocol-relative `//host` or a path, so the portal cannot be
 * turned into an open redirect. Anything else is dropped, not an error.
 */
export function safeOriginUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_URL_LENGTH || !/^https?:\/\/[^/\\]/i.test(value)) return undefined;
  if (CONTROL_CHARS.test(value) || /\s/.test(value)) return undefined;
  try {
    const url = new URL(value);
    const webUrl = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    return webUrl && url.username === '' && url.password === '' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function siteOf(query: LandingQuery, fallback: string | undefined): string {
  const site = single(query, 'site') ?? fallback;
  if (site === undefined) throw badLanding('The site parameter is missing');
  return text(site, 'site', 100);
}

/** `t` is opaque (microseconds since the epoch per FAQ 3231): kept as digits, never interpreted. */
function timestamp(query: LandingQuery): Record<string, string> {
  const t = single(query, 't');
  if (t === undefined) return {};
  if (!/^[0-9]{1,20}$/.test(t)) throw badLanding('The t parameter is not valid');
  return { t };
}

function accessPointHandle(query: LandingQuery, apMac: string): Record<string, string> {
  return {
    mode: 'ap',
    apMac: omadaMac(apMac, 'apMac'),
    ssidName: text(required(query, 'ssidName'), 'ssidName', 32),
    radioId: radioId(required(query, 'radioId')),
  };
}

function gatewayHandle(query: LandingQuery, gatewayMac: string): Record<string, string> {
  return { mode: 'gateway', gatewayMac: omadaMac(gatewayMac, 'gatewayMac'), vid: vlanId(required(query, 'vid')) };
}

/** Rebuilds the controller body from a stored handle, checking it again: flow state is data, not trust. */
function authTarget(handle: Record<string, string>): AuthTarget {
  const site = handle.site;
  if (site === undefined) throw badLanding('The saved landing has no site');
  if (handle.mode === 'ap') {
    const { apMac = '', ssidName = '', radioId: radio = '' } = handle;
    return { apMac: omadaMac(apMac, 'apMac'), ssidName: text(ssidName, 'ssidName', 32), radioId: Number(radioId(radio)), site };
  }
  if (handle.mode === 'gateway') {
    const { gatewayMac = '', vid = '' } = handle;
    return { gatewayMac: omadaMac(gatewayMac, 'gatewayMac'), vid: Number(vlanId(vid)), site };
  }
  throw badLanding('The saved landing is not from an Omada access point or gateway');
}

/** Session length in the unit this controller expects. */
export function omadaTime(sessionMinutes: number, unit: OmadaTimeUnit): number {
  if (!Number.isFinite(sessionMinutes) || sessionMinutes <= 0) throw new RangeError('sessionMinutes must be a positive number');
  const ms = Math.round(sessionMinutes * 60_000);
  return unit === 'us' ? ms * 1000 : ms;
}

export class OmadaGateway implements AccessPointController {
  constructor(private readonly options: OmadaGatewayOptions) {}

  parseLanding(query: LandingQuery): LandingClient {
    const clientMac = omadaMac(required(query, 'clientMac'), 'clientMac');
    const apMac = single(query, 'apMac');
    const gatewayMac = single(query, 'gatewayMac');
    if (apMac !== undefined && gatewayMac !== undefined) throw badLanding('A landing names either apMac or gatewayMac, not both');
    if (apMac === undefined && gatewayMac === undefined) throw badLanding('The apMac or gatewayMac parameter is missing');
    const device = apMac !== undefined ? accessPointHandle(query, apMac) : gatewayHandle(query, gatewayMac ?? '');
    const handle: Record<string, string> = { ...device, site: siteOf(query, this.options.site), ...timestamp(query) };
    return {
      mac: toLandingMac(clientMac),
      ip: undefined,
      ssid: handle.ssidName,
      originUrl: safeOriginUrl(single(query, 'redirectUrl')),
      handle,
    };
  }

  async authorise(client: LandingClient, limits: SessionLimits): Promise<AuthoriseOutcome> {
    const target = authTarget(client.handle);
    const clientMac = omadaMac(toOmadaMac(client.mac), 'clientMac');
    // Omada takes only a duration: rate and quota limits have no place in extPortal/auth.
    const body: OmadaAuthBody = { clientMac, ...target, time: omadaTime(limits.sessionMinutes, this.options.timeUnit), authType: 4 };
    await this.options.client.authorise(body);
    return { kind: 'authorised' };
  }

  /**
   * Always `false`. FAQ 3231 (the only documented external-portal API for the
   * hotspot operator session) has no unauthorise call; `extPortal/unauth`
   * appears only in third-party code marked "undocumented", and
   * tykeal/homeassistant-captive-portal (legacy_adapter.py) states the
   * controller exposes no dedicated deauth endpoint there. The OpenAPI's
   * `/openapi/v1/{omadacId}/sites/{siteId}/hotspot/clients/{MAC}/unauth` needs
   * a different credential (client id/secret) and a site id, not what this
   * adapter is configured with.
   */
  revoke(_client: LandingClient): Promise<boolean> {
    return Promise.resolve(false);
  }
}
