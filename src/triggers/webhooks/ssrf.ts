import { BlockList } from 'node:net';
import { familyOf, ipv4FromGroups, ipv6Groups, type IpFamily } from './ip-address.js';

/**
 * Which addresses a customer's webhook URL may reach. Customer URLs are
 * hostile: without this, "https://crm.example" resolving to 169.254.169.254
 * would read the cloud metadata service, or 10.x our own internals. Only
 * public unicast addresses pass, plus whatever the operator lists in
 * TRIGGERS_WEBHOOK_ALLOWED_NETWORKS (tests, on-premises CRMs).
 */

export interface AddressVerdict {
  allowed: boolean;
  /** Refused: what the address is, e.g. "a private address". */
  reason?: string;
}

export interface AddressPolicy {
  check(address: string): AddressVerdict;
  /** Inside TRIGGERS_WEBHOOK_ALLOWED_NETWORKS (http is accepted only there). */
  isExplicitlyAllowed(address: string): boolean;
}

type Range = [cidr: string, label: string];

// First match wins, so narrower ranges come before the ones containing them.
const IPV4_DENIED: Range[] = [
  ['169.254.169.254/32', 'the cloud metadata address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['10.0.0.0/8', 'a private address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.168.0.0/16', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT (shared) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['192.0.0.0/24', 'a reserved (IETF protocol) address'],
  ['192.0.2.0/24', 'a documentation address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['192.88.99.0/24', 'a reserved (6to4 relay) address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'],
];

const IPV6_DENIED: Range[] = [
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['64:ff9b:1::/48', 'a private (local NAT64) address'],
  ['100::/64', 'a reserved (discard) address'],
  ['2001::/32', 'a Teredo tunnel address'],
  ['2001:db8::/32', 'a documentation address'],
  ['3fff::/20', 'a documentation address'],
  ['2001::/23', 'a reserved (IETF protocol) address'],
  ['fc00::/7', 'a unique local (private) address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local (private) address'],
  ['ff00::/8', 'a multicast address'],
];

/** Only global unicast (2000::/3) is reachable on the public IPv6 internet. */
const IPV6_GLOBAL = new BlockList();
IPV6_GLOBAL.addSubnet('2000::', 3, 'ipv6');

function compile(ranges: Range[], family: IpFamily): { list: BlockList; label: string }[] {
  return ranges.map(([cidr, label]) => {
    const list = new BlockList();
    addCidr(list, cidr, family);
    return { list, label };
  });
}

function addCidr(list: BlockList, cidr: string, family?: IpFamily): void {
  const [network = '', prefixText = ''] = cidr.trim().split('/');
  const type = family ?? familyOf(network);
  const prefix = Number(prefixText);
  if (type === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)) {
    throw new Error(`Not a CIDR range: ${cidr}`);
  }
  list.addSubnet(network, prefix, type);
}

const DENIED_V4 = compile(IPV4_DENIED, 'ipv4');
const DENIED_V6 = compile(IPV6_DENIED, 'ipv6');

/** The IPv4 address an IPv6 one carries, with how: mapped, compatible, NAT64 or 6to4. */
export function embeddedIpv4(address: string): { ipv4: string; via: string } | undefined {
  const g = ipv6Groups(address);
  if (!g) return undefined;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((w) => w === 0);
  if (zeroTo(5) && g5 === 0xffff) return { ipv4: ipv4FromGroups(g6, g7), via: 'an IPv4-mapped address' };
  if (zeroTo(6) && (g6 !== 0 || g7 > 1)) return { ipv4: ipv4FromGroups(g6, g7), via: 'an IPv4-compatible address' };
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return { ipv4: ipv4FromGroups(g6, g7), via: 'a NAT64 address' };
  if (g0 === 0x2002) return { ipv4: ipv4FromGroups(g1, g2), via: 'a 6to4 address' };
  return undefined;
}

function firstMatch(table: { list: BlockList; label: string }[], address: string, family: IpFamily): string | undefined {
  return table.find(({ list }) => list.check(address, family))?.label;
}

function deniedReason(address: string): string | undefined {
  const family = familyOf(address);
  if (family === undefined) return 'not an IP address';
  if (family === 'ipv4') return firstMatch(DENIED_V4, address, 'ipv4');
  const bare = address.replace(/%.*$/, '');
  const embedded = embeddedIpv4(bare);
  if (embedded) {
    const inner = deniedReason(embedded.ipv4);
    return inner === undefined ? undefined : `${embedded.via} for ${embedded.ipv4}, ${inner}`;
  }
  return firstMatch(DENIED_V6, bare, 'ipv6') ?? (IPV6_GLOBAL.check(bare, 'ipv6') ? undefined : 'a reserved address');
}

/** The policy for a deployment: the deny list minus the operator's allowed networks. */
export function createAddressPolicy(allowedNetworks: readonly string[]): AddressPolicy {
  const allowed = new BlockList();
  for (const cidr of allowedNetworks) addCidr(allowed, cidr);
  const isExplicitlyAllowed = (address: string): boolean => {
    const bare = address.replace(/%.*$/, '');
    const family = familyOf(bare);
    // BlockList matches an IPv4-mapped IPv6 address against IPv4 ranges by itself.
    return family !== undefined && allowed.check(bare, family);
  };
  return {
    isExplicitlyAllowed,
    check(address) {
      if (isExplicitlyAllowed(address)) return { allowed: true };
      const reason = deniedReason(address);
      return reason === undefined ? { allowed: true } : { allowed: false, reason };
    },
  };
}

/** Thrown when a URL or a connection would reach a refused address; permanent, never retried. */
export class ForbiddenAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(host === address ? `${address} is ${reason}` : `${host} resolves to ${address}, ${reason}`);
    this.name = 'ForbiddenAddressError';
  }
}
