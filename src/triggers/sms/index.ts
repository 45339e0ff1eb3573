import { Router } from 'express';
import type { TriggerModuleDeps } from '../module-deps.js';
import type { ConsentGate, SmsSender } from '../ports.js';

/** SMS sending, consent at send time, suppression list, STOP/START, opt-out links, the visitors API. */
export interface SmsModule {
  /** undefined when Twilio is not configured: SMS actions are then recorded as failed with the reason. */
  sender: SmsSender | undefined;
  consent: ConsentGate;
  /** Twilio status callback URL for a delivery (signed by Twilio, validated on receipt). */
  statusCallbackUrl(): string | undefined;
  /** /visitors... (behind the API key). */
  apiRoutes: Router;
  /** /webhooks/twilio/inbound, /webhooks/twilio/status, /o/:token opt-out pages (no API key). */
  publicRoutes: Router;
}

// Placeholder until the SMS part lands.
export function createSms(_deps: TriggerModuleDeps): SmsModule {
  const missing = () => Promise.reject(new Error('sms not built yet'));
  return {
    sender: undefined,
    consent: { current: missing, suppressNumber: missing, optOutUrl: () => '' },
    statusCallbackUrl: () => undefined,
    apiRoutes: Router(),
    publicRoutes: Router(),
  };
}
