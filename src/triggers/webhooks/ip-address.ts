import { isIPv4, isIPv6 } from 'node:net';

/**
 * Just enough IPv6 parsing to find IPv4 addresses tunnelled inside IPv6 ones
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4): the SSRF policy judges the
 * IPv4 address such a packet really reaches.
 */

/** The eight 16-bit groups of an IPv6 address (brackets and zone id ignored), or undefined. */
export function ipv6Groups(address: string): number[] | undefined {
  let text = bareHost(address).replace(/%.*$/, '');
  if (!isIPv6(text)) return undefined;
  // A dotted IPv4 tail ("::ffff:1.2.3.4") becomes the two hex groups it stands for.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [head = '', tail] = text.split('::');
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const words = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.length === 8 ? words : undefined;
}

/** Dotted-quad form of two 16-bit groups. */
export function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

export type IpFamily = 'ipv4' | 'ipv6';

export function familyOf(address: string): IpFamily | undefined {
  if (isIPv4(address)) return 'ipv4';
  if (isIPv6(address.replace(/%.*$/, ''))) return 'ipv6';
  return undefined;
}

/** A URL's hostname without the brackets around an IPv6 literal. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}
