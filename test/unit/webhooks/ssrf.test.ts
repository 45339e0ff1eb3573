import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv6Groups } from '../../../src/triggers/webhooks/ip-address.js';
import { createAddressPolicy, embeddedIpv4 } from '../../../src/triggers/webhooks/ssrf.js';

const strict = createAddressPolicy([]);

describe('SSRF address policy: refused addresses', () => {
  const refused: [string, RegExp][] = [
    ['10.0.0.5', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['169.254.169.254', /cloud metadata/],
    ['169.254.10.1', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.254', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['240.0.0.1', /reserved/],
    ['255.255.255.255', /broadcast/],
    ['192.0.2.10', /documentation/],
    ['198.51.100.7', /documentation/],
    ['203.0.113.200', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /documentation/],
    ['2001:0::1', /Teredo/],
    ['::ffff:127.0.0.1', /IPv4-mapped address for 127\.0\.0\.1, a loopback/],
    ['::ffff:7f00:1', /IPv4-mapped address for 127\.0\.0\.1, a loopback/],
    ['::ffff:169.254.169.254', /cloud metadata/],
    ['::ffff:10.1.2.3', /private/],
    ['::127.0.0.1', /IPv4-compatible address for 127\.0\.0\.1/],
    ['64:ff9b::10.0.0.1', /NAT64 address for 10\.0\.0\.1, a private/],
    ['64:ff9b::a9fe:a9fe', /NAT64 address for 169\.254\.169\.254/],
    ['2002:7f00:1::1', /6to4 address for 127\.0\.0\.1/],
    ['2002:c0a8:101::', /6to4 address for 192\.168\.1\.1/],
    ['100::1', /discard/],
    ['4000::1', /reserved/],
    ['crm.example.com', /not an IP address/],
  ];
  for (const [address, why] of refused) {
    it(`refuses ${address}`, () => {
      const verdict = strict.check(address);
      assert.equal(verdict.allowed, false);
      assert.match(verdict.reason ?? '', why);
    });
  }
});

describe('SSRF address policy: public addresses', () => {
  for (const address of ['93.184.215.14', '1.1.1.1', '8.8.8.8', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.253.255.255', '2a00:1450:4009:81f::200e', '2606:4700::1111', '::ffff:93.184.215.14', '64:ff9b::808:808', '2002:808:808::1']) {
    it(`allows ${address}`, () => {
      assert.deepEqual(strict.check(address), { allowed: true });
    });
  }
});

describe('SSRF address policy: allowed networks', () => {
  const lab = createAddressPolicy(['127.0.0.0/8', '::1/128', '10.20.0.0/16']);

  it('allows addresses inside the configured ranges, including their IPv4-mapped forms', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '10.20.3.4', '::ffff:127.0.0.1']) {
      assert.equal(lab.check(address).allowed, true, address);
      assert.equal(lab.isExplicitlyAllowed(address), true, address);
    }
  });

  it('still refuses private addresses outside them', () => {
    for (const address of ['10.21.0.1', '192.168.0.1', '169.254.169.254', 'fe80::1']) assert.equal(lab.check(address).allowed, false, address);
  });

  it('does not count public addresses as explicitly allowed (http stays refused for them)', () => {
    assert.equal(lab.check('1.1.1.1').allowed, true);
    assert.equal(lab.isExplicitlyAllowed('1.1.1.1'), false);
  });

  it('rejects a malformed range at start', () => {
    assert.throws(() => createAddressPolicy(['10.0.0.0/33']), /Not a CIDR range/);
    assert.throws(() => createAddressPolicy(['nonsense/8']), /Not a CIDR range/);
  });
});

describe('IPv6 parsing', () => {
  it('expands compressed forms and dotted IPv4 tails', () => {
    assert.deepEqual(ipv6Groups('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    assert.deepEqual(ipv6Groups('[2001:db8::1]'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(ipv6Groups('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(ipv6Groups('10.0.0.1'), undefined);
  });

  it('finds the IPv4 address inside mapped, NAT64 and 6to4 addresses only', () => {
    assert.deepEqual(embeddedIpv4('::ffff:a00:1'), { ipv4: '10.0.0.1', via: 'an IPv4-mapped address' });
    assert.equal(embeddedIpv4('64:ff9b::c0a8:1')?.ipv4, '192.168.0.1');
    assert.equal(embeddedIpv4('2002:a9fe:a9fe::')?.ipv4, '169.254.169.254');
    assert.equal(embeddedIpv4('2a00:1450::1'), undefined);
    assert.equal(embeddedIpv4('::1'), undefined);
  });
});
