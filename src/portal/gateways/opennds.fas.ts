/**
 * openNDS 9.10 FAS landing, levels 1-3: pure decoding and the auth URL.
 *
 * Checked against the installed openNDS 9.10.0 (its scripts, /etc/opennds/fas-*.php,
 * a real run in network namespaces) and its source (http_microhttpd.c construct_querystring):
 * - level 1: `?fas=<base64 of "k=v, k=v, ...">`, no `authdir` field;
 * - levels 2/3: the gateway runs PHP `base64_encode(openssl_encrypt($query,
 *   'aes-256-cbc', $faskey, 0, $iv))` and sends `?fas=<that>&iv=<iv>`, where
 *   `$iv` is the first 16 hex digits of a random sha256: so the ciphertext is
 *   base64 twice, the key is the faskey NUL-padded/truncated to 32 bytes (PHP
 *   does that) and the IV is those 16 ASCII characters;
 * - `gatewayname`, `gatewayurl` and `originurl` are percent-encoded by
 *   openNDS (`uh_urlencode`); `clientmac` has colons, `gatewaymac` none; unset
 *   fields print as `(null)` (glibc), e.g. `themespec=(null), (null)(null)(null)(null)`
 *   at the end (seen from a real 9.10.0 gateway).
 * The `fas` value is put into the URL without percent-encoding, so a `+` in it
 * reaches us as a space after query parsing: we turn spaces back into `+`. Only
 * level 1 can carry one (e.g. from a `~` in originurl): base64 of base64 text never does.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { AppError } from '../../shared/errors.js';

export type FasLevel = 1 | 2 | 3;

/** The decoded landing payload, validated; names as openNDS sends them. */
export interface FasPayload {
  /** 64 hex: the client's hash id; the gateway accepts `sha256(hid + faskey)` as its token. */
  hid: string;
  clientip: string;
  /** Normalised `aa:bb:cc:dd:ee:ff`. */
  clientmac: string;
  client_type: string | undefined;
  /** Decoded (human) gateway name. */
  gatewayname: string;
  gatewayurl: string | undefined;
  version: string | undefined;
  /** `ip:port` of the gateway's own web server (default port 2050). */
  gatewayaddress: string;
  gatewaymac: string | undefined;
  /** Only sent at levels 2/3; openNDS's default is `opennds_auth`. */
  authdir: string | undefined;
  /** Decoded; only ever an absolute http(s) URL. */
  originurl: string | undefined;
  clientif: string | undefined;
  themespec: string | undefined;
  /** Operator-defined custom parameters (`fas_custom_parameters_list` etc.), as sent. */
  extra: Record<string, string>;
}

const DEFAULT_AUTHDIR = 'opennds_auth';
/** openNDS caps its query at a few kB; anything far bigger is not from a gateway. */
const MAX_FAS_LENGTH = 16_384;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HID = /^[0-9a-fA-F]{64}$/;
const IV = /^[0-9a-fA-F]{16}$/;
const AUTHDIR = /^[A-Za-z0-9._~-]{1,64}$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
/** Longest value we accept: URLs may be long, everything else is short. */
const MAX_URL = 4096;
const MAX_TEXT = 256;
const KNOWN = [
  'hid', 'clientip', 'clientmac', 'client_type', 'gatewayname', 'gatewayurl', 'version',
  'gatewayaddress', 'gatewaymac', 'authdir', 'originurl', 'clientif', 'themespec',
] as const;
type Known = (typeof KNOWN)[number];

const bad = (why: string): AppError => new AppError('PORTAL_BAD_LANDING', `openNDS landing rejected: ${why}`);

const MAC_FORMS = /^(?:[0-9a-f]{2}([:-])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}|(?:[0-9a-f]{4}\.){2}[0-9a-f]{4}|[0-9a-f]{12})$/i;

/** `aa:bb:cc:dd:ee:ff` from colon, dash, dotted or bare hex forms; undefined when it is not a MAC. */
export function normaliseMac(value: string): string | undefined {
  const trimmed = value.trim();
  if (!MAC_FORMS.test(trimmed)) return undefined;
  return trimmed.replace(/[:.-]/g, '').toLowerCase().replace(/(..)(?!$)/g, '$1:');
}

/** The token the gateway accepts for this client: sha256 hex of hid followed by the faskey (openNDS hash_str). */
export function rhid(hid: string, faskey: string): string {
  return createHash('sha256').update(`${hid}${faskey}`, 'utf8').digest('hex');
}

/** `ip:port` with a real IPv4 address (or bracketed IPv6) and a TCP port. */
export function isGatewayAddress(value: string): boolean {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/.exec(value);
  if (!match?.[1] || !match[2]) return false;
  const host = match[1].replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  return isIP(host) !== 0 && port >= 1 && port <= 65_535;
}

/** The URL normalised when it is absolute http(s); anything else is refused so we never redirect to `javascript:` and friends. */
function httpUrlOrThrow(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad(`${what} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`${what} must be http or https`);
  return url.href;
}

/**
 * The URL the visitor's browser must open (levels 1/2) for the gateway to let it on:
 * `http://<gatewayaddress>/<authdir>/?tok=<rhid>&redir=<url>`. openNDS only matches the
 * path `/<authdir>/` exactly (check_authdir_match), and reads only `tok`, `redir` and
 * `custom` from the query: per-client limits cannot be passed here.
 */
export function authUrl(payload: Pick<FasPayload, 'gatewayaddress' | 'authdir'>, token: string, redir: string): string {
  if (!isGatewayAddress(payload.gatewayaddress)) throw bad('gatewayaddress is not ip:port');
  const authdir = payload.authdir ?? DEFAULT_AUTHDIR;
  if (!AUTHDIR.test(authdir)) throw bad('authdir has unexpected characters');
  if (!/^[0-9a-f]{64}$/.test(token)) throw new AppError('INTERNAL', 'openNDS token must be 64 lower-case hex');
  const target = httpUrlOrThrow(redir, 'redir');
  return `http://${payload.gatewayaddress}/${authdir}/?tok=${token}&redir=${encodeURIComponent(target)}`;
}

/** One query value as a string: Express may give arrays or objects for repeated or bracketed keys. */
function single(query: Record<string, unknown>, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad(`${key} must appear once`);
  return value;
}

function base64Field(value: string, what: string): Buffer {
  // A '+' arrives as ' ' once the query string is parsed: base64 has no spaces, so put it back.
  const text = value.replace(/ /g, '+');
  if (text.length === 0 || text.length > MAX_FAS_LENGTH || !BASE64.test(text) || text.length % 4 === 1) {
    throw bad(`${what} is not base64`);
  }
  return Buffer.from(text, 'base64');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw bad(`${what} is not UTF-8 text`);
  }
}

function decrypt(fas: string, iv: string, faskey: string): string {
  const outer = base64Field(fas, 'fas');
  const ciphertext = base64Field(outer.toString('latin1'), 'fas (inner)');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw bad('fas is not AES-CBC ciphertext');
  // PHP's openssl_encrypt NUL-pads a short key and truncates a long one to the cipher's 32 bytes.
  const key = Buffer.alloc(32);
  Buffer.from(faskey, 'utf8').copy(key, 0, 0, 32);
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, Buffer.from(iv, 'latin1'));
    return text(Buffer.concat([decipher.update(ciphertext), decipher.final()]), 'decrypted fas');
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw bad('fas does not decrypt with this gateway\'s faskey (wrong key, wrong level or damaged link)');
  }
}

/** "k=v, k=v": the first '=' splits; tokens without one (the "(null)(null)…" of unset custom lists) are ignored. */
function splitPairs(decoded: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const token of decoded.split(', ')) {
    const at = token.indexOf('=');
    if (at <= 0) continue;
    const key = token.slice(0, at).trim();
    if ((KNOWN as readonly string[]).includes(key) && pairs.has(key)) throw bad(`${key} appears twice`);
    if (!pairs.has(key)) pairs.set(key, token.slice(at + 1));
  }
  return pairs;
}

function percentDecoded(value: string, what: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw bad(`${what} is not percent-encoded text`);
  }
}

function optionalText(pairs: Map<string, string>, key: Known, max = MAX_TEXT): string | undefined {
  const value = pairs.get(key);
  // openNDS prints an unset string with printf("%s", NULL): "(null)" means absent.
  if (value === undefined || value === '' || value === '(null)') return undefined;
  if (value.length > max || !PRINTABLE.test(value)) throw bad(`${key} is too long or has unexpected characters`);
  return value;
}

function required(pairs: Map<string, string>, key: Known): string {
  const value = optionalText(pairs, key);
  if (value === undefined) throw bad(`${key} is missing`);
  return value;
}

function toPayload(pairs: Map<string, string>): FasPayload {
  const hid = required(pairs, 'hid');
  if (!HID.test(hid)) throw bad('hid is not 64 hex digits');
  const clientip = required(pairs, 'clientip');
  if (isIP(clientip) === 0) throw bad('clientip is not an IP address');
  const clientmac = normaliseMac(required(pairs, 'clientmac'));
  if (!clientmac) throw bad('clientmac is not a MAC address');
  const gatewayaddress = required(pairs, 'gatewayaddress');
  if (!isGatewayAddress(gatewayaddress)) throw bad('gatewayaddress is not ip:port');
  const gatewaymacRaw = optionalText(pairs, 'gatewaymac');
  const gatewaymac = gatewaymacRaw === undefined ? undefined : normaliseMac(gatewaymacRaw);
  if (gatewaymacRaw !== undefined && !gatewaymac) throw bad('gatewaymac is not a MAC address');
  const authdir = optionalText(pairs, 'authdir');
  if (authdir !== undefined && !AUTHDIR.test(authdir)) throw bad('authdir has unexpected characters');
  const origin = optionalText(pairs, 'originurl', MAX_URL);
  const gatewayurl = optionalText(pairs, 'gatewayurl', MAX_URL);
  // fromEntries defines own properties: a key such as "__proto__" stays plain data.
  const extra = Object.fromEntries([...pairs].filter(([key]) => !(KNOWN as readonly string[]).includes(key)));
  return {
    hid,
    clientip,
    clientmac,
    client_type: optionalText(pairs, 'client_type'),
    gatewayname: percentDecoded(required(pairs, 'gatewayname'), 'gatewayname'),
    gatewayurl: gatewayurl === undefined ? undefined : percentDecoded(gatewayurl, 'gatewayurl'),
    version: optionalText(pairs, 'version'),
    gatewayaddress,
    gatewaymac,
    authdir,
    originurl: origin === undefined ? undefined : httpUrlOrThrow(percentDecoded(origin, 'originurl'), 'originurl'),
    clientif: optionalText(pairs, 'clientif'),
    themespec: optionalText(pairs, 'themespec'),
    extra,
  };
}

/**
 * Decodes and validates an openNDS FAS landing query. Throws
 * AppError('PORTAL_BAD_LANDING') with a message that says what was wrong;
 * never lets a crypto or decoding error escape.
 */
export function decodeFasLanding(level: FasLevel, query: Record<string, unknown>, faskey: string): FasPayload {
  const fas = single(query, 'fas');
  const iv = single(query, 'iv');
  if (fas === undefined) throw bad('no fas parameter (is the gateway set to a FAS level of 1 or more?)');
  if (level === 1) {
    if (iv !== undefined) throw bad('an iv came with a level 1 landing (is the gateway set to level 2 or 3?)');
    return toPayload(splitPairs(text(base64Field(fas, 'fas'), 'fas')));
  }
  if (iv === undefined) throw bad(`no iv parameter (is the gateway set to level 1 instead of ${level}?)`);
  if (!IV.test(iv)) throw bad('iv is not 16 hex characters');
  return toPayload(splitPairs(decrypt(fas, iv, faskey)));
}
