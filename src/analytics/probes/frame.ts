import { channelOfFrequency } from './channel.js';
import { summariseIes } from './fingerprint.js';
import { macFromBytes } from './mac.js';
import type { Probe } from './probe.js';
import { readRadiotap } from './radiotap.js';
import type { ProbeResult } from './record.js';

/** Link types a capture of probe requests comes in. */
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_RADIOTAP = 127;

const PROBE_REQUEST = 0x40; // frame control byte 0: version 0, type 0 (management), subtype 4
const HEADER = 24;
const ORDER_FLAG = 0x80; // in a management frame: an HT Control field follows the header

/**
 * One captured packet: undefined when it is not a probe request (skipped silently), else the probe or
 * why it cannot be used. Radiotap gives signal and channel; 802.11 gives SA (addr2), the sequence
 * number (sequence control >> 4) and the tagged elements after the header.
 */
export function probeFromPacket(bytes: Buffer, start: number, end: number, linkType: number, ts: number, sensor: string | undefined): ProbeResult | undefined {
  let frame = start;
  let frameEnd = end;
  let signal: number | undefined;
  let frequency: number | undefined;
  let badFcs = false;
  if (linkType === LINKTYPE_RADIOTAP) {
    const radiotap = readRadiotap(bytes, start, end);
    if (typeof radiotap === 'string') return { ok: false, error: radiotap };
    frame = start + radiotap.length;
    if (radiotap.fcsAtEnd) frameEnd -= 4;
    ({ signal, frequency, badFcs } = radiotap);
  }
  if (frameEnd - frame < 1 || bytes[frame] !== PROBE_REQUEST) return undefined;
  if (frameEnd - frame < HEADER) return { ok: false, error: `probe request is ${Math.max(0, frameEnd - frame)} bytes, shorter than its 24-byte header` };
  if (badFcs) return { ok: false, error: 'probe request failed its FCS check (radiotap flags): its bytes are damaged' };
  if (signal === undefined) {
    return { ok: false, error: linkType === LINKTYPE_RADIOTAP ? 'no dBm antenna signal in the radiotap header' : 'no radiotap header, so no signal strength' };
  }
  if (signal < -120 || signal > 0) return { ok: false, error: `radiotap dBm antenna signal ${signal} is outside -120..0` };
  if (((bytes[frame + 10] ?? 0) & 0x01) !== 0) return { ok: false, error: 'source address is multicast (first octet bit 0 set): the frame is damaged' };
  const ies = frame + HEADER + (((bytes[frame + 1] ?? 0) & ORDER_FLAG) !== 0 ? 4 : 0);
  const { fp, ssid } = summariseIes(bytes, ies, frameEnd);
  const channel = frequency === undefined ? undefined : channelOfFrequency(frequency);
  const probe: Probe = sensor === undefined ? { ts, mac: macFromBytes(bytes, frame + 10), rssi: signal } : { ts, sensor, mac: macFromBytes(bytes, frame + 10), rssi: signal };
  probe.seq = bytes.readUInt16LE(frame + 22) >> 4;
  if (ssid !== undefined) probe.ssid = ssid;
  if (channel !== undefined) probe.channel = channel;
  probe.fp = fp;
  if (ies < frameEnd) probe.ies = bytes.toString('hex', ies, frameEnd);
  return { ok: true, probe };
}
