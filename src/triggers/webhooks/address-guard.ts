import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { familyOf } from './ip-address.js';
import { ForbiddenAddressError, type AddressPolicy } from './ssrf.js';

/**
 * Applies the address policy where it matters: to every address DNS gives
 * for the host we are about to connect to (inside the socket's own lookup, so
 * a rebinding DNS answer cannot slip a private address past an earlier check).
 */

/** Resolves a host name to all its addresses (tests may swap DNS). */
export type Resolver = (hostname: string, family?: number) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname, family = 0) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, family }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

/** Throws ForbiddenAddressError naming the first refused address (any refused address refuses the host). */
export function assertAddressesAllowed(policy: AddressPolicy, host: string, addresses: readonly string[]): void {
  for (const address of addresses) {
    const verdict = policy.check(address);
    if (!verdict.allowed) throw new ForbiddenAddressError(host, address, verdict.reason ?? 'a refused address');
  }
}

/** The addresses a URL host stands for: itself when it is an IP literal, else what DNS says (all of them checked). */
export async function resolveAllowed(policy: AddressPolicy, host: string, resolve: Resolver = systemResolver): Promise<string[]> {
  const addresses = familyOf(host) === undefined ? (await resolve(host)).map((a) => a.address) : [host];
  if (addresses.length === 0) throw Object.assign(new Error(`${host} did not resolve`), { code: 'ENOTFOUND' });
  assertAddressesAllowed(policy, host, addresses);
  return addresses;
}

/** A `lookup` for http(s).request/net.connect that fails the connection when any resolved address is refused. */
export function guardedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    resolve(hostname, family)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' });
        assertAddressesAllowed(
          policy,
          hostname,
          addresses.map((a) => a.address),
        );
        const [first] = addresses as [LookupAddress];
        if (options.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      })
      .catch((error: unknown) => {
        callback(error as NodeJS.ErrnoException, options.all === true ? [] : '');
      });
  };
}
