import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fingerprintOf, ouiFromNumber } from '../../../../src/analytics/probes/fingerprint.js';

export const TSHARK = '/usr/bin/tshark';
export const tsharkMissing = existsSync(TSHARK) ? undefined : `${TSHARK} is not installed (apt-get install tshark; .ci/run does it)`;

/** What tshark decodes from one probe request (wlan.fc.type_subtype == 4), in the form our Probe uses. */
export interface TsharkProbe {
  frame: number;
  /** Receive time in whole microseconds (exact: parsed from tshark's decimal text). */
  micros: bigint;
  mac: string;
  /** First dBm antenna signal; undefined when the radiotap header has none. */
  rssi: number | undefined;
  seq: number;
  ssid: string | undefined;
  channel: number | undefined;
  fp: string;
  badFcs: boolean;
}

const FIELDS = ['frame.number', 'frame.time_epoch', 'wlan.sa', 'radiotap.dbm_antsignal', 'wlan.seq', 'wlan.ssid', 'wlan_radio.channel', 'wlan.tag.number', 'wlan.tag.oui', 'radiotap.flags.badfcs'];

/** Every probe request of `file` as tshark decodes it. */
export async function tsharkProbes(file: string): Promise<TsharkProbe[]> {
  const args = ['-r', file, '-Y', 'wlan.fc.type_subtype==4', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  const { stdout } = await promisify(execFile)(TSHARK, [...args, ...FIELDS.flatMap((f) => ['-e', f])], { maxBuffer: 1 << 30 }).catch((error: unknown) => {
    // tshark exits non-zero on a cut-short file but still prints what it read.
    const { stdout: partial } = error as { stdout?: string };
    if (typeof partial === 'string') return { stdout: partial };
    throw error;
  });
  return stdout.split('\n').filter((line) => line !== '').map(parseRow);
}

function parseRow(line: string): TsharkProbe {
  const [frame, epoch, mac, signal, seq, ssid, channel, ids, ouis, badFcs] = line.split('\t') as [string, string, string, string, string, string, string, string, string, string];
  const [whole, fraction = ''] = epoch.split('.');
  const micros = BigInt(whole!) * 1_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 6));
  const ssidText = ssid === '' || ssid === '<MISSING>' ? undefined : Buffer.from(ssid, 'hex').toString('utf8');
  const ieIds = ids === '' ? [] : ids.split(',').map(Number);
  const vendorOuis = ouis === '' ? [] : ouis.split(',').map((oui) => ouiFromNumber(Number(oui)));
  return {
    frame: Number(frame),
    micros,
    mac,
    rssi: signal === '' ? undefined : Number(signal.split(',')[0]),
    seq: Number(seq),
    ssid: ssidText === '' ? undefined : ssidText,
    // Wireshark calls 5000 and 5950 MHz channel 0; no such channel exists, we leave it out.
    channel: channel === '' || channel === '0' ? undefined : Number(channel),
    fp: fingerprintOf(ieIds, vendorOuis),
    badFcs: badFcs.split(',').includes('1') || badFcs.split(',').includes('True'),
  };
}
