/**
 * What an installer types into the Omada controller so its guests land on
 * Passby: shown once when an Omada gateway is created. Pure: no I/O, so the
 * admin UI, the CLI and tests all show the same words.
 */

export interface OmadaPortalSettingsInput {
  /** Passby's public base URL as guests reach it, e.g. `https://wifi.example.com`. */
  publicUrl: string;
  gatewayId: string;
}

export function omadaPortalUrl({ publicUrl, gatewayId }: OmadaPortalSettingsInput): string {
  return `${publicUrl.replace(/\/+$/, '')}/portal/omada/${encodeURIComponent(gatewayId)}`;
}

export function omadaPortalSettings(input: OmadaPortalSettingsInput): string {
  const portalUrl = omadaPortalUrl(input);
  const { protocol, hostname } = new URL(portalUrl);
  const lines = [
    'TP-Link Omada controller 5.0.15 or later, on the site that serves the guest network:',
    '',
    '1. Hotspot operator (Passby logs in as this account, never as a controller admin):',
    '   Hotspot Manager > Operators > Add: create an operator with access to this site.',
    '   Enter its user name and password in Passby as the hotspot operator.',
    '',
    '2. Portal: Settings > Authentication > Portal > Create New Portal',
    '   SSID & Network: the guest SSID(s) (EAP portal) or guest LAN network(s) (gateway portal)',
    '   Authentication Type: External Portal Server',
    `   Custom Portal Server URL: ${portalUrl}`,
    '   Landing Page: The Original URL',
    '',
    '3. Pre-authentication access (walled garden), in the same portal > Access Control:',
    `   Pre-Authentication Access: enable, add URL ${protocol}//${hostname}`,
    '   so guests can load the sign-in page before they are authorised.',
    '',
    '4. Controller address for Passby: the HTTPS management URL (port 8043 on the software',
    '   controller, 443 on an OC hardware controller). If its certificate is self-signed,',
    '   paste the CA certificate (PEM) into Passby: TLS verification is never switched off.',
  ];
  return lines.join('\n');
}
