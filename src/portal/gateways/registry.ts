import type { GatewayWithSecrets } from '../gateway.service.js';
import type { AccessPointController } from './access-point.js';
import type { AuthmonQueue } from './opennds.authmon.js';
import { OpenndsGateway } from './opennds.gateway.js';
import { OmadaControllerClient } from './omada.client.js';
import { OmadaGateway, type OmadaTimeUnit } from './omada.gateway.js';

/** Builds the adapter for a gateway record, and keeps it: an Omada adapter holds a logged-in controller session. */
export interface AccessPointRegistry {
  forGateway(found: GatewayWithSecrets): AccessPointController;
  close(): void;
}

interface Entry {
  fingerprint: string;
  controller: AccessPointController;
  close?: () => void;
}

export function createAccessPointRegistry(deps: { authmon: AuthmonQueue }): AccessPointRegistry {
  const entries = new Map<string, Entry>();

  const build = ({ gateway, secrets }: GatewayWithSecrets): Omit<Entry, 'fingerprint'> => {
    const settings = gateway.settings;
    if (gateway.kind === 'opennds' && 'faskey' in secrets) {
      const fasLevel = settings.fasLevel === 1 || settings.fasLevel === 3 ? settings.fasLevel : 2;
      return { controller: new OpenndsGateway({ gatewayId: gateway.id, fasLevel, faskey: secrets.faskey, authmon: deps.authmon }) };
    }
    if (gateway.kind === 'omada' && 'operatorPassword' in secrets) {
      const client = new OmadaControllerClient({
        controllerUrl: String(settings.controllerUrl),
        operatorUsername: String(settings.operatorUsername),
        operatorPassword: secrets.operatorPassword,
        ...(secrets.caCertPem ? { caCertPem: secrets.caCertPem } : {}),
      });
      const site = typeof settings.site === 'string' ? settings.site : undefined;
      const timeUnit: OmadaTimeUnit = settings.timeUnit === 'us' ? 'us' : 'ms';
      return { controller: new OmadaGateway({ client, timeUnit, ...(site ? { site } : {}) }), close: () => client.close() };
    }
    throw new Error(`Gateway ${gateway.id} has secrets that do not match its kind`);
  };

  return {
    forGateway(found) {
      // Settings or secrets edited since: rebuild rather than keep a stale session.
      const fingerprint = JSON.stringify([found.gateway.settings, found.secrets]);
      const cached = entries.get(found.gateway.id);
      if (cached?.fingerprint === fingerprint) return cached.controller;
      cached?.close?.();
      const entry = { fingerprint, ...build(found) };
      entries.set(found.gateway.id, entry);
      return entry.controller;
    },
    close() {
      for (const entry of entries.values()) entry.close?.();
      entries.clear();
    },
  };
}
