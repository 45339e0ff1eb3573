import { isIP } from 'node:net';
import { AppError } from '../../shared/errors.js';
import type { SessionLimits } from './access-point.js';
import type { FasLevel } from './opennds.fas.js';

export interface OpenndsConfigInput {
  /** Where visitors reach the portal, e.g. `https://wifi.example.com`. */
  publicUrl: string;
  gatewayId: string;
  fasLevel: FasLevel;
  faskey: string;
  /** Becomes GatewayName; the authmon gatewayhash is derived from it. */
  gatewayName?: string;
  /** IPv4 address publicUrl's host resolves to, when publicUrl names a host (openNDS needs the address). */
  fasRemoteIp?: string;
  /** Gateway-wide defaults; at levels 1 and 2 they are the only limits openNDS applies. */
  limits?: SessionLimits;
}

const invalid = (message: string): AppError => new AppError('VALIDATION_FAILED', message);

/** Single-quoted for the shell that runs `uci set`. */
const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

interface Resolved {
  port: number;
  remoteIp: string;
  remoteFqdn: string | undefined;
  path: string;
}

function resolveFas(input: OpenndsConfigInput): Resolved {
  let url: URL;
  try {
    url = new URL(input.publicUrl);
  } catch {
    throw invalid('publicUrl is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('publicUrl must be http or https');
  // openNDS builds https://…/ only at level 3, and http://…/ at levels 1 and 2.
  if (input.fasLevel === 3 && url.protocol !== 'https:') throw invalid('FAS level 3 needs an https publicUrl: openNDS polls it with authmon over https only');
  const port = input.fasLevel === 3 ? Number(url.port || 443) : url.protocol === 'http:' ? Number(url.port || 80) : 80;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 6) throw invalid('openNDS 9.10 needs an IPv4 fasremoteip: publicUrl must not be an IPv6 address');
  if (input.fasRemoteIp !== undefined && isIP(input.fasRemoteIp) !== 4) throw invalid('fasRemoteIp must be an IPv4 address');
  const remoteIp = isIP(host) === 4 ? host : (input.fasRemoteIp ?? `<IPv4 address of ${host}>`);
  const base = url.pathname.replace(/\/+$/, '');
  return { port, remoteIp, remoteFqdn: isIP(host) === 4 ? undefined : host, path: `${base}/portal/opennds/${input.gatewayId}` };
}

/** Option name and value pairs, in the order an installer reads them. */
function options(input: OpenndsConfigInput, fas: Resolved): [string, string][] {
  const name = input.gatewayName?.trim();
  const list: [string, string][] = [];
  // opennds.conf takes the rest of the line as the value; control characters would break it.
  if (name && !/[\p{Cc}]/u.test(name)) {
    list.push(['gatewayname', name]);
    // Otherwise openNDS appends " Node:<mac> " to the name and the gatewayhash changes with it.
    list.push(['enable_serial_number_suffix', '0']);
  }
  list.push(
    ['login_option_enabled', '0'],
    ['fasport', String(fas.port)],
    ['fasremoteip', fas.remoteIp],
    ...(fas.remoteFqdn ? [['fasremotefqdn', fas.remoteFqdn] as [string, string]] : []),
    ['faspath', fas.path],
    ['fas_secure_enabled', String(input.fasLevel)],
    ['faskey', input.faskey],
  );
  const limits = input.limits;
  if (limits) {
    const whole = (value: number | undefined): string => String(Math.max(0, Math.floor(value ?? 0)));
    list.push(
      ['sessiontimeout', whole(limits.sessionMinutes)],
      ['uploadrate', whole(limits.uploadKbps)],
      ['downloadrate', whole(limits.downloadKbps)],
      ['uploadquota', whole(limits.uploadQuotaKb)],
      ['downloadquota', whole(limits.downloadQuotaKb)],
    );
  }
  return list;
}

function notes(input: OpenndsConfigInput, fas: Resolved): string[] {
  const lines = [
    `# fasremoteip must be the address visitors reach the portal on: before sign-in openNDS lets them reach only ${fas.remoteIp}:${String(fas.port)}.`,
  ];
  if (fas.remoteIp.startsWith('<')) lines.push(`# Replace ${fas.remoteIp} (dig +short ${fas.remoteFqdn ?? ''} A); a host behind a CDN with changing addresses will not work.`);
  if (input.fasLevel !== 1) lines.push('# Levels 2 and 3 need PHP with OpenSSL on the gateway: Debian `apt-get install php-cli` (OpenSSL is built in); OpenWrt `opkg install php8-cli php8-mod-openssl`.');
  if (input.fasLevel === 3) {
    lines.push(
      '# Level 3: authmon POSTs to the https FAS URL with PHP, verifying the certificate against the system CA store:',
      `#   the certificate must be valid for ${fas.remoteFqdn ?? fas.remoteIp}; Debian needs ca-certificates, OpenWrt ca-bundle (authmon stops without it).`,
    );
  } else {
    lines.push(
      `# Level ${String(input.fasLevel)}: openNDS sends visitors to http://…:${String(fas.port)}${fas.path} (never https at this level): the portal must answer that path on plain http, without redirecting to https.`,
      '# Session length, rates and quotas cannot be passed per visitor at this level: the sessiontimeout, uploadrate, downloadrate, uploadquota and downloadquota set here apply.',
    );
  }
  return lines;
}

/**
 * What an installer pastes into the gateway for openNDS 9.10: opennds.conf lines
 * (Debian and other generic Linux) and the OpenWrt UCI commands, plus the notes
 * that decide whether it will work.
 */
export function openndsConfigSnippet(input: OpenndsConfigInput): string {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(input.faskey)) {
    // openNDS pastes the key into a single-quoted shell command and a PHP string: keep it to characters that survive both.
    throw invalid('faskey must be 8-64 characters of A-Z, a-z, 0-9, "_" and "-"');
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(input.gatewayId)) throw invalid('gatewayId has unexpected characters');
  const fas = resolveFas(input);
  const list = options(input, fas);
  return [
    `# Passby FAS for gateway ${input.gatewayId} (openNDS 9.10, FAS level ${String(input.fasLevel)})`,
    '',
    '# /etc/opennds/opennds.conf (Debian and other generic Linux), then: systemctl restart opennds',
    ...list.map(([key, value]) => `${key === 'gatewayname' ? 'GatewayName' : key} ${value}`),
    '',
    '# OpenWrt',
    ...list.map(([key, value]) => `uci set opennds.@opennds[0].${key}=${quote(value)}`),
    'uci commit opennds; service opennds restart',
    '',
    ...notes(input, fas),
    '',
  ].join('\n');
}
