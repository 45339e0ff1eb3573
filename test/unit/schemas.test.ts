import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayInputSchema } from '../../src/portal/gateway.schemas.js';
import { openingHoursSchema, venueInputSchema, venuePatchSchema } from '../../src/tenancy/tenancy.schemas.js';

describe('venue input', () => {
  it('accepts a venue with an IANA time zone and opening hours', () => {
    const venue = venueInputSchema.parse({ name: ' Café ', timezone: 'Europe/Moscow', openingHours: { mon: [['09:00', '13:00'], ['14:00', '24:00']] } });
    assert.equal(venue.name, 'Café');
    assert.equal(venue.address, '');
  });

  it('refuses an unknown time zone with a helpful message', () => {
    const result = venueInputSchema.safeParse({ name: 'x', timezone: 'Mars/Olympus' });
    assert.ok(!result.success);
    assert.match(result.error.issues[0]?.message ?? 'no error', /IANA time zone such as Europe\/London/);
  });

  it('refuses malformed or backwards opening hours and unknown days', () => {
    assert.equal(openingHoursSchema.safeParse({ mon: [['9:00', '18:00']] }).success, false);
    assert.equal(openingHoursSchema.safeParse({ mon: [['18:00', '09:00']] }).success, false);
    assert.equal(openingHoursSchema.safeParse({ funday: [['09:00', '10:00']] }).success, false);
    assert.equal(openingHoursSchema.safeParse({ sun: [['00:00', '24:00']] }).success, true);
  });

  it('refuses an empty patch and unknown fields', () => {
    assert.equal(venuePatchSchema.safeParse({}).success, false);
    assert.equal(venuePatchSchema.safeParse({ orgId: 'x' }).success, false);
  });
});

describe('gateway input', () => {
  it('defaults openNDS to FAS level 2 and Omada time to milliseconds', () => {
    const opennds = gatewayInputSchema.parse({ kind: 'opennds', venueId: 'v', name: 'AP' });
    assert.equal(opennds.kind === 'opennds' && opennds.fasLevel, 2);
    const omada = gatewayInputSchema.parse({
      kind: 'omada',
      venueId: 'v',
      name: 'EAP',
      controllerUrl: 'https://omada.local:8043',
      operatorUsername: 'hotspot',
      operatorPassword: 'pw',
    });
    assert.equal(omada.kind === 'omada' && omada.timeUnit, 'ms');
  });

  it('refuses an Omada gateway without operator credentials or with a non-PEM CA', () => {
    const result = gatewayInputSchema.safeParse({ kind: 'omada', venueId: 'v', name: 'EAP', controllerUrl: 'https://c', caCertPem: 'hello' });
    assert.equal(result.success, false);
    assert.ok(result.error);
    const paths = result.error.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('operatorUsername') && paths.includes('operatorPassword') && paths.includes('caCertPem'), paths.join(','));
  });

  it('refuses an unknown kind and an unknown FAS level', () => {
    assert.equal(gatewayInputSchema.safeParse({ kind: 'meraki', venueId: 'v', name: 'x' }).success, false);
    assert.equal(gatewayInputSchema.safeParse({ kind: 'opennds', venueId: 'v', name: 'x', fasLevel: 4 }).success, false);
  });
});
