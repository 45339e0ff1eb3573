import type { GatewayWithSecrets } from '../gateway.service.js';
import { omadaPortalSettings } from './omada.config.js';
import { openndsConfigSnippet } from './opennds.config.js';

/** `passby gateway config <id>`: the text an installer pastes into the device or controller. */
export function gatewaySnippet({ gateway, secrets }: GatewayWithSecrets, publicUrl: string): string {
  if (gateway.kind === 'opennds' && 'faskey' in secrets) {
    const level = gateway.settings.fasLevel;
    return openndsConfigSnippet({
      publicUrl,
      gatewayId: gateway.id,
      fasLevel: level === 1 || level === 3 ? level : 2,
      faskey: secrets.faskey,
      gatewayName: gateway.name,
    });
  }
  return omadaPortalSettings({ publicUrl, gatewayId: gateway.id });
}
