import type { Config } from '../../config.js';
import { DEFAULT_SMS_POLICY } from '../../portal/verification/limits.js';
import type { AdminDeps } from '../admin-deps.js';
import { ConsentVersionsRepository } from './consent-versions.repository.js';
import { messageValues, portalValues, SMS_FIELDS, smsFieldName, type FormValues } from './settings-form.js';
import { stamp } from './staff-context.js';

/** One form's state when it comes back after a failed save: the input as typed and a message per field. */
export interface FormState {
  values: FormValues;
  errors: Record<string, string>;
}

export interface SettingsPageState {
  notice?: string | undefined;
  portal?: FormState;
  consent?: FormState;
  messages?: FormState;
}

const VERIFICATION_MODES = [
  { value: 'verify', label: 'Twilio Verify sends and checks the code' },
  { value: 'own-code', label: 'Passby makes the code and sends it by Twilio Messaging' },
];

/** Deployment settings that decide how long data lives: shown with the variable that changes them. */
function retentionRows(config: Config, loginRetentionDays: number) {
  const { analytics } = config;
  return [
    {
      label: 'Raw device sightings (probes)',
      value: `${String(analytics.probeRetentionDays)} days`,
      env: 'ANALYTICS_PROBE_RETENTION_DAYS',
      meaning: 'Older probes are refused at ingest and their days deleted. Footfall figures made from them stay.',
    },
    {
      label: 'Device address salt period',
      value: `${String(analytics.saltRotationHours)} hours`,
      env: 'ANALYTICS_SALT_ROTATION_HOURS',
      meaning: 'Device addresses are hashed with a salt that changes this often, so a device cannot be followed from one period to the next.',
    },
    {
      label: 'Salt kept after its period',
      value: `${String(analytics.saltGraceMinutes)} minutes`,
      env: 'ANALYTICS_SALT_GRACE_MINUTES',
      meaning: 'Late uploads from sensors are accepted for this long; then the salt is deleted for good.',
    },
    {
      label: 'Portal login records',
      value: `${String(loginRetentionDays)} days`,
      env: undefined,
      meaning: 'Set per organisation in the Portal section above.',
    },
  ];
}

const hasErrors = (state: FormState | undefined): boolean => state !== undefined && Object.keys(state.errors).length > 0;

/** Everything /admin/settings shows, read from the services; a section in `state` shows its failed input instead. */
export async function settingsModel(deps: AdminDeps, orgId: string, state: SettingsPageState = {}): Promise<Record<string, unknown>> {
  const [portal, triggerSettings, versions, venues] = await Promise.all([
    deps.portal.settings.describeOrg(orgId),
    deps.triggers.rules.settings.get(orgId),
    new ConsentVersionsRepository(deps.db).inUse(orgId),
    deps.services.venues.list(orgId),
  ]);
  const portalForm = state.portal ?? { values: portalValues(portal), errors: {} };
  const consentForm = state.consent ?? { values: { consentVersion: portal.consentVersion }, errors: {} };
  const messagesForm = state.messages ?? { values: messageValues(triggerSettings), errors: {} };
  return {
    title: 'Organisation settings',
    notice: state.notice,
    failed: hasErrors(state.portal) || hasErrors(state.consent) || hasErrors(state.messages),
    portal: {
      ...portalForm,
      crmSecretSet: portal.crmSecretSet,
      verificationModes: VERIFICATION_MODES.map((m) => ({ ...m, selected: m.value === portalForm.values.verification })),
      smsFields: SMS_FIELDS.map((f) => {
        const name = smsFieldName(f.key);
        return { ...f, name, value: portalForm.values[name] ?? '', error: portalForm.errors[name], default: DEFAULT_SMS_POLICY[f.key] };
      }),
    },
    consent: {
      ...consentForm,
      current: portal.consentVersion,
      versions: versions.map((v) => ({ ...v, current: v.version === portal.consentVersion, first: stamp(v.firstRecordedAt), last: stamp(v.lastRecordedAt) })),
      venues: venues.map((v) => ({ id: v.id, name: v.name })),
    },
    messages: messagesForm,
    retention: retentionRows(deps.config, portal.loginRetentionDays),
  };
}
