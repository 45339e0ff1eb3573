import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A local TP-Link Omada controller 5.x speaking the external portal API of
 * TP-Link FAQ 3231 over HTTPS with a freshly made self-signed CA: `/api/info`,
 * hotspot operator login (session cookie + CSRF token) and extPortal/auth,
 * which demands both, as the real controller does.
 */

const run = promisify(execFile);

export interface TestPki {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

/** How the fake answers a request without a valid session (controllers differ; the client must handle all). */
export type ExpiredStyle = 'errorCode' | 'status401' | 'loginRedirect';

export type OmadaFailure =
  | { kind: 'errorCode'; errorCode: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'reset' };

export interface FakeOmadaOptions {
  omadacId?: string;
  operator?: { name: string; password: string };
  cookieName?: 'TPOMADA_SESSIONID' | 'TPEAP_SESSIONID';
  expiredStyle?: ExpiredStyle;
  /** Slows logins so tests can pile up concurrent requests behind one. */
  loginDelayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Names only: the values are secrets. */
  cookieNames: string[];
  csrfHeader: boolean;
  /** The JSON body with `password` blanked. */
  body: unknown;
}

export interface FakeOmada {
  url: string;
  caCertPem: string;
  omadacId: string;
  operator: { name: string; password: string };
  requests: RecordedRequest[];
  authorised: { body: Record<string, unknown>; at: number }[];
  logins: number;
  expireSessions(): void;
  /** Applies to extPortal/auth until cleared with `undefined`. */
  fail(failure: OmadaFailure | undefined): void;
  close(): Promise<void>;
}

/** A CA and a server certificate for 127.0.0.1 / localhost (and `dnsNames`), made with the openssl CLI in a throw-away directory. */
export async function makeTestPki(dnsNames: string[] = []): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-omada-'));
  const at = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', ['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.crt'), '-days', '2',
      '-subj', '/CN=Fake Omada Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await run('openssl', ['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost']);
    await writeFile(at('ext.cnf'), `subjectAltName=IP:127.0.0.1,DNS:localhost${dnsNames.map((n) => `,DNS:${n}`).join('')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    await run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.crt'), '-CAkey', at('ca.key'), '-CAcreateserial',
      '-out', at('server.crt'), '-days', '2', '-extfile', at('ext.cnf')]);
    const [caCertPem, certPem, keyPem] = await Promise.all(['ca.crt', 'server.crt', 'server.key'].map((name) => readFile(at(name), 'utf8')));
    return { caCertPem: caCertPem ?? '', certPem: certPem ?? '', keyPem: keyPem ?? '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Reply = [status: number, body: unknown, headers?: Record<string, string | string[]>];

const AP_FIELDS = ['clientMac', 'apMac', 'ssidName', 'radioId', 'site', 'time', 'authType'];
const GATEWAY_FIELDS = ['clientMac', 'gatewayMac', 'vid', 'site', 'time', 'authType'];
const MAC = /^[0-9A-F]{2}(-[0-9A-F]{2}){5}$/;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const ok = (result?: unknown): Reply => [200, result === undefined ? { errorCode: 0, msg: 'Success.' } : { errorCode: 0, msg: 'Success.', result }];
const omadaError = (errorCode: number, msg: string): Reply => [200, { errorCode, msg }];

/** Integers as numbers or digit strings, the way the controller's JSON binding accepts them. */
const integer = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;

/** -1001 unless the body is exactly one of the two FAQ 3231 shapes with sane values. */
function invalidAuthBody(body: Record<string, unknown>): boolean {
  const keys = Object.keys(body).sort().join();
  const ap = keys === [...AP_FIELDS].sort().join();
  if (!ap && keys !== [...GATEWAY_FIELDS].sort().join()) return true;
  const macs = ap ? [body.clientMac, body.apMac] : [body.clientMac, body.gatewayMac];
  if (!macs.every((mac) => typeof mac === 'string' && MAC.test(mac))) return true;
  if (typeof body.site !== 'string' || body.site === '' || !((integer(body.time) ?? 0) > 0)) return true;
  if (ap) return typeof body.ssidName !== 'string' || body.ssidName === '' || ![0, 1].includes(integer(body.radioId) ?? -1);
  const vid = integer(body.vid) ?? 0;
  return vid < 1 || vid > 4094;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const pairs = (req.headers.cookie ?? '').split(';').map((part) => part.trim().split('='));
  return new Map(pairs.filter((pair): pair is [string, string] => pair.length === 2 && pair[0] !== ''));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

const redact = (body: unknown): unknown =>
  typeof body === 'object' && body !== null && 'password' in body ? { ...body, password: '[redacted]' } : body;

export async function startFakeOmada(options: FakeOmadaOptions = {}): Promise<FakeOmada & { pki: TestPki }> {
  const pki = await makeTestPki();
  const omadacId = options.omadacId ?? hex(16);
  const operator = options.operator ?? { name: 'passby-operator', password: `pw-${hex(8)}` };
  const cookieName = options.cookieName ?? 'TPOMADA_SESSIONID';
  const expiredStyle = options.expiredStyle ?? 'errorCode';
  /** session id -> CSRF token */
  const sessions = new Map<string, string>();
  let failure: OmadaFailure | undefined;
  const state = { requests: [] as RecordedRequest[], authorised: [] as FakeOmada['authorised'], logins: 0 };

  const expired = (): Reply => {
    if (expiredStyle === 'status401') return [401, { errorCode: -44109, msg: 'Login session expired.' }];
    if (expiredStyle === 'loginRedirect') return [302, '', { Location: `/${omadacId}/login` }];
    return omadaError(-44109, 'Login session expired.');
  };

  const login = async (body: unknown): Promise<Reply> => {
    if (options.loginDelayMs) await new Promise((resolve) => setTimeout(resolve, options.loginDelayMs));
    const { name, password } = (body ?? {}) as { name?: unknown; password?: unknown };
    if (typeof name !== 'string' || typeof password !== 'string') return omadaError(-1001, 'Invalid request parameters.');
    if (name !== operator.name || password !== operator.password) return omadaError(-30109, 'Invalid username or password.');
    state.logins += 1;
    const sessionId = hex(16);
    const token = hex(16);
    sessions.set(sessionId, token);
    return [200, { errorCode: 0, msg: 'Hotspot log in successfully.', result: { token } },
      { 'Set-Cookie': `${cookieName}=${sessionId}; Path=/; Secure; HttpOnly` }];
  };

  const extPortalAuth = (req: IncomingMessage, body: unknown): Reply | 'hang' | 'reset' => {
    const sessionId = cookies(req).get(cookieName);
    const token = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (token === undefined || req.headers['csrf-token'] !== token) return expired();
    if (failure?.kind === 'hang' || failure?.kind === 'reset') return failure.kind;
    if (failure?.kind === 'status') return [failure.status, '<html>Bad gateway</html>'];
    if (failure?.kind === 'errorCode') return omadaError(failure.errorCode, 'Simulated failure.');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return omadaError(-1001, 'Invalid request parameters.');
    const fields = body as Record<string, unknown>;
    if (integer(fields.authType) !== 4 && fields.authType !== undefined) return omadaError(-41500, 'Invalid authentication type.');
    if (invalidAuthBody(fields)) return omadaError(-1001, 'Invalid request parameters.');
    state.authorised.push({ body: fields, at: Date.now() });
    return ok();
  };

  const route = async (req: IncomingMessage, path: string, body: unknown): Promise<Reply | 'hang' | 'reset'> => {
    if (req.method === 'GET' && path === '/api/info') return ok({ controllerVer: '5.15.20.20', apiVer: '3', configured: true, type: 1, omadacId });
    if (req.method === 'POST' && path === `/${omadacId}/api/v2/hotspot/login`) return login(body);
    if (req.method === 'POST' && path === `/${omadacId}/api/v2/hotspot/extPortal/auth`) return extPortalAuth(req, body);
    return [404, { errorCode: -1, msg: 'Not found.' }];
  };

  const server: Server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req: IncomingMessage, res: ServerResponse) => {
    void readJson(req).then(async (body) => {
      const path = new URL(req.url ?? '/', 'https://fake').pathname;
      state.requests.push({ method: req.method ?? '', path, cookieNames: [...cookies(req).keys()], csrfHeader: 'csrf-token' in req.headers, body: redact(body) });
      const reply = await route(req, path, body);
      if (reply === 'hang') return;
      if (reply === 'reset') return void req.socket.destroy();
      const [status, payload, headers = {}] = reply;
      res.writeHead(status, { 'Content-Type': typeof payload === 'string' ? 'text/html' : 'application/json', ...headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    pki,
    url: `https://127.0.0.1:${port}`,
    caCertPem: pki.caCertPem,
    omadacId,
    operator,
    requests: state.requests,
    authorised: state.authorised,
    get logins() {
      return state.logins;
    },
    expireSessions: () => sessions.clear(),
    fail: (next) => {
      failure = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
