import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bandOf, groupOf, macKind, toObservation } from '../../../src/analytics/pipeline/to-observation.js';

describe('toObservation', () => {
  it('tells randomised (locally administered) from global MACs by the first octet', () => {
    for (const mac of ['02:00:00:00:00:01', 'a6:1b:2c:3d:4e:5f', 'DA:A1:19:00:00:00'.toLowerCase(), 'fe:00:00:00:00:00']) assert.equal(macKind(mac), 'randomised', mac);
    for (const mac of ['00:1b:2c:3d:4e:5f', 'dc:fb:48:de:86:8d', '40:ec:99:f9:34:a6', 'fc:00:00:00:00:00']) assert.equal(macKind(mac), 'global', mac);
    for (const mac of ['01:00:5e:00:00:01', '33:33:00:00:00:01', 'ff:ff:ff:ff:ff:ff', 'a7:00:00:00:00:00']) assert.equal(macKind(mac), 'multicast', mac);
  });

  it('drops a probe from a multicast source address as corrupt', () => {
    assert.equal(toObservation({ ts: 1, mac: '33:33:00:00:00:01', rssi: -50 }, 'k'), undefined);
  });

  it('keeps time, sensor, key, signal and sequence number', () => {
    const o = toObservation({ ts: 1710420847.5, sensor: 'door', mac: 'e2:6d:f2:2c:f2:f2', rssi: -63, seq: 359 }, 'hashed-key');
    assert.deepEqual(o, { t: 1710420847.5, sensor: 'door', key: 'hashed-key', randomised: true, rssi: -63, seq: 359, group: '' });
    const bare = toObservation({ ts: 2, mac: 'dc:fb:48:de:86:8d', rssi: -43 }, 'k');
    assert.ok(bare);
    assert.equal(bare.sensor, '');
    assert.equal(bare.seq, null);
    assert.equal(bare.randomised, false);
  });

  it('groups by IE fingerprint plus band when the channel is known, never by vendor', () => {
    const fp = '0,1,50,3,45,127,107,221,221,221|0017f2,0050f2,001018';
    assert.equal(groupOf({ fp, channel: 6 }), `${fp}@2.4`);
    assert.equal(groupOf({ fp, channel: 36 }), `${fp}@5`);
    assert.equal(groupOf({ fp }), fp);
    // No fingerprint: the catch-all, whatever the channel or vendor prefix.
    assert.equal(groupOf({ channel: 6 }), '');
    assert.equal(toObservation({ ts: 1, mac: 'da:a1:19:00:00:01', rssi: -50, channel: 1 }, 'k')?.group, '');
    assert.equal(toObservation({ ts: 1, mac: '02:00:00:00:00:01', rssi: -50, fp }, 'k', '')?.group, '', 'an explicit group wins');
    assert.equal(bandOf(14), '2.4');
    assert.equal(bandOf(149), '5');
    assert.equal(bandOf(undefined), undefined);
  });
});
