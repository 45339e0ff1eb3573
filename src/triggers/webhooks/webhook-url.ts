import { AppError } from '../../shared/errors.js';
import { resolveAllowed, type Resolver } from './address-guard.js';
import { bareHost } from './ip-address.js';
import { ForbiddenAddressError, type AddressPolicy } from './ssrf.js';

/**
 * The check a webhook URL passes when it is saved: https (http only for the
 * operator's allowed networks), no credentials, and a host that resolves to
 * addresses the SSRF policy accepts. The sender checks the address again at
 * every connection, so DNS changing later does not get past it.
 */

export const MAX_URL_LENGTH = 2000;
const RESOLVE_TIMEOUT_MS = 5_000;

const invalid = (message: string): AppError => new AppError('VALIDATION_FAILED', `url: ${message}`, { fields: [{ path: 'url', message }] });

function forbidden(error: ForbiddenAddressError): AppError {
  const message = `${error.message}; webhooks only call public addresses`;
  return new AppError('WEBHOOK_URL_FORBIDDEN', message, { fields: [{ path: 'url', message }], address: error.address });
}

function parse(raw: string): URL {
  if (raw.length > MAX_URL_LENGTH) throw invalid(`at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('expected an absolute URL such as https://crm.example.com/hooks/passby');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('must start with https://');
  if (url.username !== '' || url.password !== '') throw invalid('must not contain a user name or password (receivers authenticate us by the signature)');
  return url;
}

/** Addresses of the host, or undefined when DNS does not answer (in time). Refused addresses throw. */
async function resolveHost(policy: AddressPolicy, host: string, resolve: Resolver | undefined): Promise<string[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((done) => {
    timer = setTimeout(() => done(undefined), RESOLVE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([resolveAllowed(policy, host, resolve), timeout]);
  } catch (error) {
    if (error instanceof ForbiddenAddressError) throw forbidden(error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** The normalised URL, or a 400: VALIDATION_FAILED for the form, WEBHOOK_URL_FORBIDDEN for the address. */
export async function checkWebhookUrl(raw: string, policy: AddressPolicy, resolve?: Resolver): Promise<string> {
  const url = parse(raw);
  const host = bareHost(url.hostname);
  const addresses = await resolveHost(policy, host, resolve);
  if (url.protocol === 'http:' && (addresses === undefined || !addresses.every((a) => policy.isExplicitlyAllowed(a)))) {
    throw invalid('must start with https:// (http:// is accepted only for hosts inside TRIGGERS_WEBHOOK_ALLOWED_NETWORKS)');
  }
  // An https host that does not resolve yet is accepted: the connection-time check still applies.
  return url.href;
}
