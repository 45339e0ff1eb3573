import type { Probe } from '../probes/probe.js';
import type { Observation } from './observation.js';

/** Bits of the first octet: a source address with the group bit set is corrupt; locally administered = randomised. */
const GROUP_BIT = 0x01;
const LOCAL_BIT = 0x02;

function firstOctet(mac: string): number {
  const hex = (c: number): number => (c <= 57 ? c - 48 : (c | 0x20) - 87);
  return (hex(mac.charCodeAt(0)) << 4) | hex(mac.charCodeAt(1));
}

export type MacKind = 'global' | 'randomised' | 'multicast';

/** What the first octet of a normalised MAC says about its sender. */
export function macKind(mac: string): MacKind {
  const octet = firstOctet(mac);
  if ((octet & GROUP_BIT) !== 0) return 'multicast';
  return (octet & LOCAL_BIT) !== 0 ? 'randomised' : 'global';
}

/** '2.4' or '5' (5 and 6 GHz share the upper channel numbers); undefined when the channel is unknown. */
export function bandOf(channel: number | undefined): string | undefined {
  if (channel === undefined || !Number.isFinite(channel) || channel <= 0) return undefined;
  return channel <= 14 ? '2.4' : '5';
}

/**
 * The sequence-linking group: the IE fingerprint (a device model's signature, which survives MAC
 * randomisation), plus the band when the channel is known because one phone's 2.4 and 5 GHz probes
 * carry different element lists anyway. No fingerprint: '' (the catch-all). Never a vendor list:
 * modern random MACs carry no vendor prefix.
 */
export function groupOf(probe: Pick<Probe, 'fp' | 'channel'>): string {
  if (probe.fp === undefined || probe.fp === '') return '';
  const band = bandOf(probe.channel);
  return band === undefined ? probe.fp : `${probe.fp}@${band}`;
}

/**
 * A probe reduced to what counting needs, under `key` (the MAC offline, its hash online). Undefined
 * for a multicast source address: no device sends from one, so the frame is corrupt. `group`
 * overrides the fingerprint grouping ('' puts every probe in one group, as the paper did).
 */
export function toObservation(probe: Probe, key: string, group?: string): Observation | undefined {
  const kind = macKind(probe.mac);
  if (kind === 'multicast') return undefined;
  return {
    t: probe.ts,
    sensor: probe.sensor ?? '',
    key,
    randomised: kind === 'randomised',
    rssi: probe.rssi,
    seq: probe.seq ?? null,
    group: group ?? groupOf(probe),
  };
}
