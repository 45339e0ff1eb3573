import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Db } from '../db/pool.js';
import type { Clock } from '../shared/clock.js';
import { createDeviceHasher } from '../shared/device-hash.js';
import type { Logger } from '../shared/logger.js';
import { createSecretBox, deriveKey } from '../shared/secret-box.js';
import type { VenueService } from '../tenancy/index.js';
import { FlowStore } from './flow.store.js';
import type { GatewayService } from './gateway.service.js';
import { AuthmonQueue } from './gateways/opennds.authmon.js';
import { createAccessPointRegistry, type AccessPointRegistry } from './gateways/registry.js';
import { LoginLogService } from './login-log.service.js';
import { LoyaltyService } from './loyalty/loyalty.service.js';
import { PortalService } from './portal.service.js';
import { PortalSettingsService } from './settings.service.js';
import { SignInService, type LoginListener } from './sign-in.service.js';
import { createVerifierFactory, type VerifierFactory } from './verification/factory.js';
import { SmsLimits } from './verification/limits.js';
import { VisitorRepository } from './visitor.repository.js';

export interface Portal {
  portal: PortalService;
  signIn: SignInService;
  settings: PortalSettingsService;
  loginLog: LoginLogService;
  verifiers: VerifierFactory;
  authmon: AuthmonQueue;
  accessPoints: AccessPointRegistry;
}

/** Wires the captive portal's services over the shared pools. */
export function createPortal(deps: {
  config: Config;
  db: Db;
  redis: Redis;
  clock: Clock;
  logger: Logger;
  secretKey: string;
  gateways: GatewayService;
  venues: VenueService;
  onLogin?: LoginListener;
}): Portal {
  const { config, db, redis, clock, logger } = deps;
  const prefix = config.queue.prefix;
  const settings = new PortalSettingsService({ db, clock, venues: deps.venues, secretBox: createSecretBox(deps.secretKey, 'portal-secrets/v1') });
  const authmon = new AuthmonQueue(redis, prefix);
  const accessPoints = createAccessPointRegistry({ authmon });
  const flows = new FlowStore(redis, prefix);
  const verifiers = createVerifierFactory({ config, redis, secretKey: deps.secretKey });
  const limits = new SmsLimits(redis, prefix, clock, { hashKey: deriveKey(deps.secretKey, 'portal-limits/v1') });
  const common = { gateways: deps.gateways, accessPoints, flows, settings, clock, logger };
  return {
    portal: new PortalService({ ...common, visitors: new VisitorRepository(db), verifiers, limits, deviceHash: createDeviceHasher(deps.secretKey) }),
    signIn: new SignInService({ ...common, db, redis, prefix, loyalty: new LoyaltyService({ settings, clock, logger }), onLogin: deps.onLogin }),
    settings,
    loginLog: new LoginLogService({ db, clock }),
    verifiers,
    authmon,
    accessPoints,
  };
}
