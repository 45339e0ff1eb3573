import { isIP } from 'node:net';
import type { GatewayWithSecrets } from '../../portal/index.js';
import type { SessionLimits } from '../../portal/gateways/access-point.js';
import { omadaPortalSettings, omadaPortalUrl } from '../../portal/gateways/omada.config.js';
import type { FasLevel } from '../../portal/gateways/opennds.fas.js';
import { openndsConfigSnippet } from '../../portal/gateways/opennds.config.js';
import { isAppError } from '../../shared/errors.js';

/** A block the installer pastes as a whole: a <pre> with a Copy button. */
export interface PasteBlock {
  id: string;
  title: string;
  text: string;
}

/** Stands in for a secret in the blocks on screen; the real value waits behind "Show secret". */
export const MASK = '<hidden: open "Show secret" below>';

export interface ConfigOptions {
  publicUrl: string;
  /** Right after creation: the secrets are on screen once, unmasked. */
  justCreated: boolean;
  /** The venue's portal session: the gateway-wide limits openNDS applies at levels 1 and 2. */
  limits: SessionLimits;
  /** The address publicUrl's host resolves to, typed by the installer (openNDS needs an IPv4 fasremoteip). */
  fasRemoteIp?: string;
}

export const fasLevelOf = (settings: Record<string, unknown>): FasLevel => {
  const level = settings.fasLevel;
  return level === 1 || level === 3 ? level : 2;
};

/**
 * The snippet's blank-line separated sections: the title line, then paste
 * blocks (a comment naming where they go, then the lines), then the notes,
 * where "#   " continues the note above.
 */
export function splitSnippet(snippet: string): { blocks: Omit<PasteBlock, 'id'>[]; notes: string[] } {
  const blocks: Omit<PasteBlock, 'id'>[] = [];
  const notes: string[] = [];
  for (const section of snippet.trim().split(/\n{2,}/).slice(1)) {
    const lines = section.split('\n');
    if (lines.every((line) => line.startsWith('#'))) {
      for (const line of lines) {
        const last = notes.length - 1;
        if (line.startsWith('#   ') && last >= 0) notes[last] = `${notes[last] ?? ''} ${line.slice(4)}`;
        else notes.push(line.replace(/^#\s?/, ''));
      }
      continue;
    }
    const [first = '', ...rest] = lines;
    if (first.startsWith('#')) blocks.push({ title: first.replace(/^#\s?/, ''), text: rest.join('\n') });
    else blocks.push({ title: 'Configuration', text: lines.join('\n') });
  }
  return { blocks, notes };
}

/** Why openNDS could not use a config for this level and public URL, if it could not (level 3 needs https, and so on). */
export function openndsProblem(publicUrl: string, fasLevel: FasLevel): string | undefined {
  try {
    openndsConfigSnippet({ publicUrl, gatewayId: 'check', fasLevel, faskey: 'k'.repeat(32) });
    return undefined;
  } catch (error) {
    if (isAppError(error) && error.code === 'VALIDATION_FAILED') return error.message;
    throw error;
  }
}

function openndsView({ gateway, secrets }: GatewayWithSecrets, options: ConfigOptions) {
  const faskey = 'faskey' in secrets ? secrets.faskey : '';
  const fasLevel = fasLevelOf(gateway.settings);
  const host = new URL(options.publicUrl).hostname.replace(/^\[|\]$/g, '');
  const remoteIp = { needed: isIP(host) === 0, host, value: options.fasRemoteIp ?? '' };
  const problem = openndsProblem(options.publicUrl, fasLevel);
  if (problem) return { fasLevel, remoteIp, problem };
  const snippet = openndsConfigSnippet({
    publicUrl: options.publicUrl,
    gatewayId: gateway.id,
    fasLevel,
    faskey,
    gatewayName: gateway.name,
    fasRemoteIp: options.fasRemoteIp,
    limits: options.limits,
  });
  const { blocks, notes } = splitSnippet(snippet);
  const numbered = (mask: boolean, prefix: string): PasteBlock[] =>
    blocks.map((b, i) => ({ id: `${prefix}-${String(i + 1)}`, title: b.title, text: mask && faskey ? b.text.split(faskey).join(MASK) : b.text }));
  return {
    fasLevel,
    remoteIp,
    notes,
    blocks: numbered(!options.justCreated, 'config'),
    // Behind <details>: the key and the same blocks with it filled in, so nobody retypes it.
    secret: options.justCreated ? undefined : { faskey, blocks: numbered(false, 'secret-config') },
  };
}

function omadaView({ gateway, secrets }: GatewayWithSecrets, options: ConfigOptions) {
  const password = 'operatorPassword' in secrets ? secrets.operatorPassword : '';
  const settings = gateway.settings;
  const text = (key: string): string => {
    const value = settings[key];
    return typeof value === 'string' ? value : '';
  };
  const operator = (shown: string): string =>
    [
      'Hotspot Manager > Operators > Add',
      `Operator Name: ${text('operatorUsername')}`,
      `Password: ${shown}`,
      `Sites: ${text('site') || 'the site that serves the guest network'}`,
    ].join('\n');
  const urls = { publicUrl: options.publicUrl, gatewayId: gateway.id };
  return {
    facts: { controllerUrl: text('controllerUrl'), site: text('site') || '(the controller default)', timeUnit: text('timeUnit') === 'us' ? 'microseconds' : 'milliseconds', caPinned: 'caCertPem' in secrets },
    blocks: [
      { id: 'portal-url', title: 'Custom Portal Server URL', text: omadaPortalUrl(urls) },
      { id: 'controller-settings', title: 'Controller settings, step by step', text: omadaPortalSettings(urls) },
      { id: 'operator', title: 'Hotspot operator to create', text: operator(options.justCreated ? password : MASK) },
    ],
    secret: options.justCreated ? undefined : { password, blocks: [{ id: 'secret-operator', title: 'Hotspot operator to create', text: operator(password) }] },
  };
}

/** What the gateway page shows: the paste blocks from the gateway's real settings and Passby's public URL. */
export function gatewayConfigView(found: GatewayWithSecrets, options: ConfigOptions) {
  return found.gateway.kind === 'opennds' ? { opennds: openndsView(found, options) } : { omada: omadaView(found, options) };
}
