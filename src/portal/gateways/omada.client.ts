import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AppError } from '../../shared/errors.js';

/**
 * Talks to one TP-Link Omada controller (5.0.15 or later) the way TP-Link FAQ
 * 3231 describes the external portal API: `GET /api/info` for the controller
 * id, hotspot operator login for a session cookie plus CSRF token, then
 * `extPortal/auth`. Secrets (password, token, cookies) never leave this class:
 * not in errors, not in logs.
 */

/** The body of `POST /{omadacId}/api/v2/hotspot/extPortal/auth` for an EAP (AP) or gateway portal. */
export type OmadaAuthBody =
  | { clientMac: string; apMac: string; ssidName: string; radioId: number; site: string; time: number; authType: 4 }
  | { clientMac: string; gatewayMac: string; vid: number; site: string; time: number; authType: 4 };

/** What the gateway adapter needs from a controller; tests can stand in for it. */
export interface OmadaAuthoriser {
  authorise(body: OmadaAuthBody): Promise<void>;
}

export interface OmadaClientOptions {
  /** e.g. `https://omada.example:8043`; a path prefix (reverse proxy) is kept. */
  controllerUrl: string;
  operatorUsername: string;
  operatorPassword: string;
  /** Pinned CA: when given, TLS trusts exactly this CA and nothing else. */
  caCertPem?: string;
  /** Per request; a guest is waiting on the other side. */
  timeoutMs?: number;
}

/** Meanings from TP-Link FAQ 3231; the message names both so an installer can act on it. */
const AUTH_ERRORS: Record<number, string> = {
  [-1]: 'general error',
  [-1001]: 'invalid parameters',
  [-41500]: 'invalid authentication type',
  [-41501]: 'failed to authenticate',
  [-41506]: 'invalid authentication information',
};
/** The hotspot API's "not logged in / session expired" answer. */
const SESSION_EXPIRED = -44109;
const TLS_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE', 'UNABLE_TO_GET_ISSUER_CERT',
]);
const MAX_BODY_BYTES = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

interface Session {
  cookie: string;
  token: string;
}

interface OmadaReply {
  errorCode: number;
  msg?: string;
  result?: unknown;
}

const unavailable = (message: string, cause?: unknown): AppError => {
  const error = new AppError('GATEWAY_UNAVAILABLE', message);
  if (cause !== undefined) error.cause = cause;
  return error;
};

function describeNetworkError(error: unknown, timeoutMs: number, pinned: boolean): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'OMADA_TIMEOUT') return `the Omada controller did not answer within ${timeoutMs} ms`;
  if (typeof code === 'string' && TLS_ERRORS.has(code)) {
    const fix = pinned ? 'it was not issued by the CA in the gateway settings' : 'paste the CA that signed it into the gateway settings';
    return `the Omada controller's TLS certificate could not be verified (${code}): ${fix}`;
  }
  if (typeof code === 'string') return `could not reach the Omada controller (${code})`;
  return 'could not reach the Omada controller';
}

function parseReply(response: RawResponse): OmadaReply | undefined {
  try {
    const body = JSON.parse(response.text) as unknown;
    if (typeof body === 'object' && body !== null && typeof (body as OmadaReply).errorCode === 'number') return body as OmadaReply;
  } catch {
    // Not JSON: the caller decides what that means (login page, proxy error page...).
  }
  return undefined;
}

/** name=value pairs from Set-Cookie, attributes dropped: the session cookie's name changed in 5.11. */
function cookieHeader(headers: IncomingHttpHeaders): string {
  return (headers['set-cookie'] ?? [])
    .map((line) => line.split(';', 1)[0]?.trim() ?? '')
    .filter((pair) => /^[^=\s]+=/.test(pair))
    .join('; ');
}

/** Expiry shows up as HTTP 401, errorCode -44109, or (behind some proxies) a redirect to the login page. */
function isSessionExpired(response: RawResponse, reply: OmadaReply | undefined): boolean {
  if (response.status === 401 || reply?.errorCode === SESSION_EXPIRED) return true;
  const location = response.headers.location ?? '';
  return response.status >= 300 && response.status < 400 && /login/i.test(location);
}

export class OmadaControllerClient implements OmadaAuthoriser {
  private readonly base: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly timeoutMs: number;
  private controllerId: Promise<string> | undefined;
  private session: Session | undefined;
  /** One login at a time: concurrent requests wait for the same one. */
  private loggingIn: Promise<Session> | undefined;

  constructor(private readonly options: OmadaClientOptions) {
    this.base = new URL(options.controllerUrl);
    this.timeoutMs = options.timeoutMs ?? 5000;
    // A pinned `ca` replaces Node's root store for this agent; verification itself is never turned off.
    this.agent = this.base.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, ...(options.caCertPem ? { ca: options.caCertPem } : {}) })
      : new HttpAgent({ keepAlive: true });
  }

  /** `omadacId` from the unauthenticated `/api/info`; cached, retried after a failure. */
  omadacId(): Promise<string> {
    this.controllerId ??= this.fetchControllerId().catch((error: unknown) => {
      this.controllerId = undefined;
      throw error;
    });
    return this.controllerId;
  }

  async authorise(body: OmadaAuthBody): Promise<void> {
    const reply = await this.withSession('hotspot/extPortal/auth', body);
    if (reply.errorCode === 0) return;
    const meaning = AUTH_ERRORS[reply.errorCode] ?? 'unknown error';
    throw new AppError('GATEWAY_REJECTED', `Omada refused to authorise the client: errorCode ${reply.errorCode} (${meaning})`, {
      omadaErrorCode: reply.errorCode,
    });
  }

  /** Frees pooled connections (shutdown, tests). */
  close(): void {
    this.agent.destroy();
  }

  private async fetchControllerId(): Promise<string> {
    const response = await this.send('GET', '/api/info');
    const result = parseReply(response)?.result as { omadacId?: unknown } | undefined;
    const id = result?.omadacId;
    // The id goes into every later path: accept only what a controller id looks like.
    if (typeof id !== 'string' || !/^[A-Za-z0-9]{8,64}$/.test(id)) {
      throw unavailable(`${this.base.origin}/api/info did not return an Omada controller id (HTTP ${response.status}): check the controller URL`);
    }
    return id;
  }

  /** POSTs with the operator session, logging in first and once more if the controller says it expired. */
  private async withSession(path: string, body: unknown): Promise<OmadaReply> {
    const id = await this.omadacId();
    let session = await this.currentSession();
    let response = await this.send('POST', `/${id}/api/v2/${path}`, body, session);
    let reply = parseReply(response);
    if (isSessionExpired(response, reply)) {
      this.forget(session);
      session = await this.currentSession();
      response = await this.send('POST', `/${id}/api/v2/${path}`, body, session);
      reply = parseReply(response);
      if (isSessionExpired(response, reply)) {
        throw unavailable('the Omada controller rejected a fresh hotspot operator session: check that the operator may manage this site');
      }
    }
    if (!reply) throw unavailable(`the Omada controller answered ${path} with HTTP ${response.status} and no API reply`);
    return reply;
  }

  private currentSession(): Promise<Session> {
    if (this.session) return Promise.resolve(this.session);
    this.loggingIn ??= this.login().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  /** Drops a session only if no one has replaced it yet, so parallel expiries trigger one login. */
  private forget(session: Session): void {
    if (this.session === session) this.session = undefined;
  }

  private async login(): Promise<Session> {
    const id = await this.omadacId();
    const credentials = { name: this.options.operatorUsername, password: this.options.operatorPassword };
    const response = await this.send('POST', `/${id}/api/v2/hotspot/login`, credentials);
    const reply = parseReply(response);
    if (!reply) throw unavailable(`the Omada hotspot login answered HTTP ${response.status} without an API reply: check the controller URL`);
    if (reply.errorCode !== 0) {
      throw new AppError(
        'GATEWAY_REJECTED',
        `Omada hotspot operator login failed: errorCode ${reply.errorCode}${reply.msg ? ` (${reply.msg})` : ''}; check the operator user name and password (Hotspot Manager > Operators)`,
        { omadaErrorCode: reply.errorCode, stage: 'login' },
      );
    }
    const token = (reply.result as { token?: unknown } | undefined)?.token;
    const cookie = cookieHeader(response.headers);
    if (typeof token !== 'string' || token === '' || cookie === '') {
      throw unavailable('the Omada hotspot login succeeded but returned no CSRF token or session cookie');
    }
    this.session = { cookie, token };
    return this.session;
  }

  private send(method: 'GET' | 'POST', path: string, body?: unknown, session?: Session): Promise<RawResponse> {
    const url = new URL(this.base.pathname.replace(/\/+$/, '') + path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (session) Object.assign(headers, { Cookie: session.cookie, 'Csrf-Token': session.token });
    const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const ca = this.options.caCertPem;
    return new Promise<RawResponse>((resolve, reject) => {
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        reject(unavailable(describeNetworkError(error, this.timeoutMs, ca !== undefined), error));
      };
      const req = requestFn(url, { method, headers, agent: this.agent, ...(ca ? { ca } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) req.destroy(Object.assign(new Error('reply too large'), { code: 'OMADA_REPLY_TOO_LARGE' }));
          else chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: 'OMADA_TIMEOUT' })), this.timeoutMs);
      req.on('error', fail);
      req.end(payload);
    });
  }
}
